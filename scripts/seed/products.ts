import type { SeedContext } from './context.ts';

// The demo price book: ~60 products of an IT solutions company — servers, storage, network, licences, services —
// with list prices (VAT included), floor prices at 80–90% of list, and the VAT rate of each kind (13% goods and
// licences, 6% services). Same at both scales: a company's catalogue does not grow with its customers.

const CATALOGUE: { category: string; prefix: string; unit: string; tax: number; items: [string, string, number][] }[] = [
  {
    category: '服务器',
    prefix: 'SRV',
    unit: '台',
    tax: 1300,
    items: [
      ['机架式服务器 R750', '2U / 双路至强银牌 4314 / 128GB / 4×960GB SSD', 68_000],
      ['机架式服务器 R750（高配）', '2U / 双路至强金牌 6330 / 512GB / 8×1.92TB SSD / 双万兆', 158_000],
      ['机架式服务器 R650', '1U / 单路至强银牌 4310 / 64GB / 2×480GB SSD', 36_800],
      ['GPU 服务器 G490', '4U / 双路至强金牌 6348 / 8×A800 80GB', 1_680_000],
      ['塔式服务器 T350', '塔式 / 至强 E-2336 / 32GB / 2×2TB', 18_600],
      ['刀片服务器机箱 M1000e', '10U / 16 槽位 / 冗余电源', 96_000],
      ['超融合一体机 HX220', '1U / 3 节点起配 / 含虚拟化授权', 128_000],
    ],
  },
  {
    category: '存储',
    prefix: 'STO',
    unit: '台',
    tax: 1300,
    items: [
      ['全闪存存储 AF5000', '双控 / 25×3.84TB NVMe / 4×32Gb FC', 420_000],
      ['混合存储 HS3000', '双控 / 12×8TB NL-SAS + 4×1.92TB SSD', 168_000],
      ['分布式存储节点 DS200', '2U / 12×16TB / 2×25GbE', 86_000],
      ['NAS 文件存储 N800', '4U / 24 盘位 / 万兆', 58_000],
      ['磁带库 TL4000', 'LTO-9 / 2 驱动器 / 48 槽位', 132_000],
      ['备份一体机 BK600', '60TB 可用 / 含 3 年备份软件授权', 198_000],
    ],
  },
  {
    category: '网络',
    prefix: 'NET',
    unit: '台',
    tax: 1300,
    items: [
      ['核心交换机 S12700', '8 业务槽 / 双主控 / 冗余电源', 268_000],
      ['汇聚交换机 S6730', '24×10GE SFP+ / 6×40GE QSFP+', 42_000],
      ['接入交换机 S5735', '48×GE / 4×10GE SFP+ / PoE+', 8_600],
      ['企业路由器 AR6300', '4×GE WAN / 2×10GE / IPSec VPN', 36_000],
      ['无线控制器 AC6805', '管理 1024 AP', 48_000],
      ['室内无线 AP AirEngine 5761', 'Wi-Fi 6 / 双频 / 吸顶', 2_980],
      ['下一代防火墙 USG6630', '8×GE + 4×10GE / 威胁防护授权 1 年', 88_000],
      ['负载均衡 LB2000', '4×10GE / SSL 卸载', 76_000],
    ],
  },
  {
    category: '软件许可',
    prefix: 'LIC',
    unit: '套',
    tax: 1300,
    items: [
      ['ERP 企业版许可', '含财务、供应链、生产制造模块 / 50 用户', 380_000],
      ['ERP 增加用户许可', '每 10 个并发用户', 28_000],
      ['CRM 专业版订阅', '每用户每年', 1_980],
      ['MES 生产执行系统', '单工厂 / 含 20 工位终端', 460_000],
      ['WMS 仓储管理系统', '单仓 / 含 RF 手持授权 10 个', 186_000],
      ['BI 数据分析平台', '服务器版 / 不限报表用户', 158_000],
      ['OA 协同办公平台', '200 用户 / 含移动端', 96_000],
      ['数据库企业版', '每 CPU 核 / 永久授权', 42_000],
      ['虚拟化平台企业版', '每 CPU / 含 1 年支持', 23_800],
      ['终端安全管理系统', '每终端 / 3 年', 380],
      ['邮件安全网关授权', '500 用户 / 1 年', 36_000],
      ['视频会议云服务', '50 方 / 年', 28_800],
    ],
  },
  {
    category: '实施服务',
    prefix: 'SVC',
    unit: '人天',
    tax: 600,
    items: [
      ['项目经理服务', '驻场 / 含差旅', 3_800],
      ['高级实施顾问', '业务流程梳理与系统配置', 3_200],
      ['实施顾问', '系统配置与数据初始化', 2_400],
      ['开发工程师', '二次开发与接口对接', 2_800],
      ['数据迁移服务', '历史数据清洗与导入', 2_600],
      ['用户培训', '每期不超过 30 人', 4_500],
      ['系统集成服务', '硬件上架、布线与联调', 2_200],
      ['等保测评咨询', '二级 / 三级差距分析与整改建议', 3_600],
    ],
  },
  {
    category: '运维服务',
    prefix: 'OPS',
    unit: '年',
    tax: 600,
    items: [
      ['年度运维服务（标准）', '5×8 远程支持 / 季度巡检', 48_000],
      ['年度运维服务（高级）', '7×24 响应 / 4 小时到场 / 月度巡检', 128_000],
      ['硬件延保服务', '原厂 3 年延保 / 下一工作日上门', 12_800],
      ['软件升级保障', '年度版本升级与补丁', 36_000],
      ['驻场运维工程师', '1 人 / 年 / 工作日驻场', 168_000],
      ['安全托管服务', '7×24 安全监测与应急响应', 98_000],
      ['机房托管服务', '42U 机柜 / 含 20A 电力 / 年', 36_000],
    ],
  },
  {
    category: '配件耗材',
    prefix: 'ACC',
    unit: '个',
    tax: 1300,
    items: [
      ['万兆 SFP+ 光模块', '多模 / 300 米', 680],
      ['40G QSFP+ 光模块', '多模 / 150 米', 2_600],
      ['企业级 SSD 3.84TB', 'NVMe U.2 / 读密集型', 6_800],
      ['企业级硬盘 16TB', 'SATA / 7200 转', 3_200],
      ['服务器内存 64GB', 'DDR4-3200 RDIMM', 2_480],
      ['UPS 不间断电源 10kVA', '在线式 / 含 30 分钟电池', 26_000],
      ['42U 标准机柜', '600×1100 / 含 PDU', 5_800],
      ['LTO-9 磁带', '18TB 原生容量', 1_280],
    ],
  },
];

export interface SeedProduct {
  id: number;
  list: number;
  floor: number;
  tax: number;
  unit: string;
  name: string;
  spec: string;
}

/** Inserts the price book and returns it for the quotes generator. */
export async function seedProducts(ctx: SeedContext): Promise<SeedProduct[]> {
  const now = ctx.now.toISOString();
  const insert = ctx.sqlite.prepare(
    `insert into products (code, name, spec, unit, category, list_price_fen, floor_price_fen, tax_rate_bp, active, description, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
  );
  const out: SeedProduct[] = [];
  let n = 0;
  for (const group of CATALOGUE) {
    group.items.forEach(([name, spec, yuan], i) => {
      n += 1;
      const list = yuan * 100;
      // Floors between 80% and 90% of list, rounded to the yuan; accessories have none.
      const floor = group.category === '配件耗材' ? 0 : Math.round((list * (80 + ((n * 7) % 11))) / 100 / 100) * 100;
      const code = `${group.prefix}-${String(i + 1).padStart(3, '0')}`;
      const active = n % 29 === 0 ? 0 : 1; // a couple of discontinued products
      const r = insert.run(code, name, spec, group.unit, group.category, list, floor, group.tax, active, now, now);
      if (active) out.push({ id: Number(r.lastInsertRowid), list, floor, tax: group.tax, unit: group.unit, name, spec });
    });
  }
  return out;
}
