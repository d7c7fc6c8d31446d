import type { ImportEntity } from './fields.ts';
import type { ImportAdapter } from './plan.ts';
import { customerAdapter } from './customers.ts';
import { contactAdapter } from './contacts.ts';
import { leadAdapter } from './leads.ts';
import { productAdapter } from '../products/import.ts';

const ADAPTERS: Record<ImportEntity, ImportAdapter<never>> = {
  customers: customerAdapter as unknown as ImportAdapter<never>,
  contacts: contactAdapter as unknown as ImportAdapter<never>,
  leads: leadAdapter as unknown as ImportAdapter<never>,
  products: productAdapter as unknown as ImportAdapter<never>,
};

/** The adapter joining a record type's schema and commands to the wizard. */
export function adapterFor(entity: ImportEntity): ImportAdapter<unknown> {
  return ADAPTERS[entity] as ImportAdapter<unknown>;
}
