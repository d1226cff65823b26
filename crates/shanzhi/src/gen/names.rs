//! Invented, plausible place and organisation names for the generated province (no real places or people).

/// Syllables of place names; two make a county's, a township's or a village's name.
const PLACE: [&str; 40] = [
    "安", "宝", "长", "崇", "丹", "东", "福", "广", "桂", "和", "河", "华", "嘉", "江", "金", "靖", "乐", "临", "龙",
    "宁", "平", "清", "庆", "泉", "瑞", "山", "石", "顺", "泰", "桃", "新", "兴", "阳", "永", "玉", "元", "云", "枣",
    "竹", "溪",
];

/// The province's name: invented, with the region code 99 that no real province has.
pub(crate) const PROVINCE: &str = "示范省";
pub(crate) const PROVINCE_CODE: &str = "99";

/// Two syllables for the `i`-th name at `depth` (different depths shuffle differently, so a county and its
/// townships rarely share a name).
pub(crate) fn place(i: usize, depth: usize) -> String {
    let n = PLACE.len();
    let a = (i * (7 + 2 * depth) + depth * 3) % n;
    let b = (i / n + i * 13 + depth * 11 + 5) % n;
    let b = if a == b { (b + 1) % n } else { b };
    format!("{}{}", PLACE[a], PLACE[b])
}

/// What an invented social organisation calls itself.
const SERVICES: [&str; 8] = [
    "社会工作服务中心",
    "社工服务社",
    "养老服务中心",
    "助残服务中心",
    "青少年服务中心",
    "家庭综合服务中心",
    "志愿服务协会",
    "社区发展中心",
];
const BRANDS: [&str; 12] =
    ["心连心", "阳光", "同心", "春晖", "乐龄", "暖阳", "启明", "惠民", "和美", "朝阳", "仁爱", "安康"];

pub(crate) fn social_organisation(county: &str, i: usize) -> String {
    format!("{county}{}{}", BRANDS[i % BRANDS.len()], SERVICES[(i / BRANDS.len() + i) % SERVICES.len()])
}

pub(crate) fn enterprise(county: &str, i: usize) -> String {
    format!("{county}{}物业服务有限公司", BRANDS[(i + 5) % BRANDS.len()])
}

pub(crate) fn public_institution(county: &str, i: usize) -> String {
    ["社会福利院", "残疾人康复中心", "青少年活动中心"].get(i % 3).map(|s| format!("{county}{s}")).unwrap_or_default()
}

/// Invented names for the generated people.
const FAMILY: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: [&str; 20] = [
    "建华", "晓燕", "志强", "秀英", "海涛", "丽娟", "国庆", "春梅", "文斌", "红霞", "立新", "雪梅", "卫东", "艳", "军",
    "静", "敏", "磊", "洋", "婷",
];

pub(crate) fn person(i: usize) -> String {
    format!("{}{}", FAMILY[i % FAMILY.len()], GIVEN[(i / FAMILY.len() + i * 3) % GIVEN.len()])
}
