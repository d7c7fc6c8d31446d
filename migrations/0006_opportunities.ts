import type { Kysely } from 'kysely';

// Frozen. Pipelines and stages (with exit criteria and stage tasks), competitors, opportunities with their stage
// history, exit-criteria checks, competitors and buying committee (decision tree); activities and leads gain a
// link to an opportunity.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pipelines')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pipeline_stages')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('probability', 'integer', (c) => c.notNull().defaultTo(0)) // 0–100
    .addColumn('expected_days', 'integer', (c) => c.notNull().defaultTo(14))
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('open')) // open, won, lost (won/lost: the fixed final stages)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pipeline_stages_pipeline_idx').on('pipeline_stages').columns(['pipeline_id', 'sort_order']).execute();

  await db.schema
    .createTable('stage_exit_criteria')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('stage_id', 'integer', (c) => c.notNull().references('pipeline_stages.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('stage_exit_criteria_stage_idx').on('stage_exit_criteria').column('stage_id').execute();

  await db.schema
    .createTable('stage_task_templates')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('stage_id', 'integer', (c) => c.notNull().references('pipeline_stages.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('due_days', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('stage_task_templates_stage_idx').on('stage_task_templates').column('stage_id').execute();

  await db.schema
    .createTable('competitors')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('website', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('opportunities')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id'))
    .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('pipelines.id'))
    .addColumn('stage_id', 'integer', (c) => c.notNull().references('pipeline_stages.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open')) // open, won, lost — follows the stage's kind
    .addColumn('amount_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('probability', 'integer', (c) => c.notNull().defaultTo(0)) // 0–100, from the stage, adjustable within bounds
    .addColumn('expected_close_date', 'text', (c) => c.notNull()) // YYYY-MM-DD
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('next_step', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('close_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('closed_at', 'text')
    .addColumn('lead_id', 'integer', (c) => c.references('leads.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('stage_entered_at', 'text', (c) => c.notNull())
    .addColumn('last_activity_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('opportunities_owner_idx').on('opportunities').columns(['owner_id', 'status', 'updated_at', 'id']).execute();
  await db.schema.createIndex('opportunities_updated_idx').on('opportunities').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('opportunities_stage_idx').on('opportunities').columns(['stage_id', 'status', 'id']).execute();
  await db.schema.createIndex('opportunities_customer_idx').on('opportunities').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('opportunities_close_idx').on('opportunities').columns(['status', 'expected_close_date']).execute();

  await db.schema
    .createTable('opportunity_stage_history')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('opportunity_id', 'integer', (c) => c.notNull().references('opportunities.id').onDelete('cascade'))
    .addColumn('from_stage_id', 'integer', (c) => c.references('pipeline_stages.id')) // NULL: the deal was created
    .addColumn('to_stage_id', 'integer', (c) => c.notNull().references('pipeline_stages.id'))
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'integer', (c) => c.references('users.id'))
    .addColumn('amount_fen', 'integer', (c) => c.notNull()) // the amount at that moment
    .addColumn('expected_close_date', 'text', (c) => c.notNull()) // the close date at that moment
    .addColumn('days_in_from_stage', 'integer') // whole days spent in from_stage (NULL on creation)
    .execute();
  await db.schema.createIndex('opportunity_stage_history_opp_idx').on('opportunity_stage_history').columns(['opportunity_id', 'id']).execute();
  await db.schema.createIndex('opportunity_stage_history_to_idx').on('opportunity_stage_history').columns(['to_stage_id', 'changed_at']).execute();

  await db.schema
    .createTable('opportunity_criteria_checks')
    .addColumn('opportunity_id', 'integer', (c) => c.notNull().references('opportunities.id').onDelete('cascade'))
    .addColumn('criterion_id', 'integer', (c) => c.notNull().references('stage_exit_criteria.id').onDelete('cascade'))
    .addColumn('checked_by', 'integer', (c) => c.references('users.id'))
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('opportunity_criteria_checks_pk', ['opportunity_id', 'criterion_id'])
    .execute();

  await db.schema
    .createTable('opportunity_competitors')
    .addColumn('opportunity_id', 'integer', (c) => c.notNull().references('opportunities.id').onDelete('cascade'))
    .addColumn('competitor_id', 'integer', (c) => c.notNull().references('competitors.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('opportunity_competitors_pk', ['opportunity_id', 'competitor_id'])
    .execute();
  await db.schema.createIndex('opportunity_competitors_competitor_idx').on('opportunity_competitors').columns(['competitor_id', 'opportunity_id']).execute();

  // The buying committee (决策树): who decides, their attitude and influence, and whom they report to.
  await db.schema
    .createTable('opportunity_contacts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('opportunity_id', 'integer', (c) => c.notNull().references('opportunities.id').onDelete('cascade'))
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull()) // decision_maker, approver, technical_evaluator, business_user, influencer, gatekeeper, coach
    .addColumn('attitude', 'text', (c) => c.notNull().defaultTo('neutral')) // supporter, neutral, opponent
    .addColumn('influence', 'text', (c) => c.notNull().defaultTo('medium')) // high, medium, low
    .addColumn('reports_to_id', 'integer', (c) => c.references('opportunity_contacts.id').onDelete('set null'))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('opportunity_contacts_unique', ['opportunity_id', 'contact_id'])
    .execute();

  await db.schema.alterTable('activities').addColumn('opportunity_id', 'integer', (c) => c.references('opportunities.id').onDelete('set null')).execute();
  await db.schema.createIndex('activities_opportunity_time_idx').on('activities').columns(['opportunity_id', 'starts_at']).execute();
  await db.schema.alterTable('leads').addColumn('opportunity_id', 'integer', (c) => c.references('opportunities.id').onDelete('set null')).execute();
}
