//! The list of administrative divisions (行政区划, GB/T 2260): provinces,
//! prefecture-level cities and counties with their names, as data
//! (`data/divisions.tsv`, its edition stated in its header), read once.
//!
//! It is what a [`DivisionCode`] is checked against, what gives a code its
//! name in answers and facets, and what finds a place named in a query
//! (`郑州`, `金水区`).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{DivisionCode, DivisionLevel};

/// The list, as kept in the repository.
const DATA: &str = include_str!("../../data/divisions.tsv");

/// City-level rows of the statistical list that group counties rather
/// than name a city (a municipality's districts, a province's directly
/// administered counties): shown by their province's name.
const GROUPINGS: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// City-level groupings of counties that the province administers
/// directly (county-level cities such as 济源市): no prefecture city.
const DIRECT_COUNTIES: [&str; 2] = ["省直辖县级行政区划", "自治区直辖县级行政区划"];

/// Endings a place is often named without (`郑州` for `郑州市`), longest
/// first.
const ENDINGS: [&str; 14] = [
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
];

/// One division of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Division {
    /// Its six digits.
    pub code: &'static str,
    /// Its name (`金水区`).
    pub name: &'static str,
    /// Province, city or county.
    pub level: DivisionLevel,
}

impl Division {
    /// Whether it is a prefecture-level city (地级), a municipality's
    /// grouping of districts included; not a province's grouping of the
    /// counties it administers directly.
    pub fn is_prefecture_city(&self) -> bool {
        self.level == DivisionLevel::City && !DIRECT_COUNTIES.contains(&self.name)
    }
}

/// The list of divisions, with look-ups by code and by name.
#[derive(Debug)]
pub struct Divisions {
    by_code: HashMap<&'static str, Division>,
    /// Full names and names without their ending, to the codes so named.
    by_name: HashMap<&'static str, Vec<&'static str>>,
}

impl Divisions {
    /// The list in the repository, read at first use.
    pub fn get() -> &'static Divisions {
        static DIVISIONS: OnceLock<Divisions> = OnceLock::new();
        DIVISIONS.get_or_init(|| Divisions::read(DATA))
    }

    fn read(data: &'static str) -> Divisions {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for line in data.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut columns = line.split('\t');
            let (Some(code), Some(name), Some(level)) =
                (columns.next(), columns.next(), columns.next())
            else {
                panic!("divisions.tsv: a row of three columns, not {line:?}");
            };
            let level = match level {
                "province" => DivisionLevel::Province,
                "city" => DivisionLevel::City,
                "county" => DivisionLevel::County,
                other => panic!("divisions.tsv: no level {other:?}"),
            };
            by_code.insert(code, Division { code, name, level });
            if GROUPINGS.contains(&name) {
                continue;
            }
            by_name.entry(name).or_default().push(code);
            if let Some(short) = short_name(name) {
                let codes = by_name.entry(short).or_default();
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
        }
        Divisions { by_code, by_name }
    }

    /// How many divisions the list holds.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether the list is empty (it never is).
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Every code on the list, in no order.
    pub fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_code.keys().copied()
    }

    /// Whether `code` is on the list.
    pub fn contains(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// The division of a code.
    pub fn division(&self, code: &str) -> Option<Division> {
        self.by_code.get(code).copied()
    }

    /// Every division within `region` (itself included), in code order.
    pub fn within(&self, region: &DivisionCode) -> Vec<Division> {
        let prefix = region.scope_prefix();
        let mut found: Vec<Division> = self
            .by_code
            .values()
            .filter(|division| division.code.starts_with(prefix))
            .copied()
            .collect();
        found.sort_by_key(|division| division.code);
        found
    }

    /// The name to show for a code: its own (`金水区`, `郑州市`, `河南省`);
    /// for the statistical groupings at city level (`市辖区`), its
    /// province's (`北京市`).
    pub fn name(&self, code: &str) -> Option<&'static str> {
        let division = self.by_code.get(code)?;
        if GROUPINGS.contains(&division.name) {
            let province = format!("{}0000", code.get(0..2)?);
            return self.by_code.get(province.as_str()).map(|found| found.name);
        }
        Some(division.name)
    }

    /// The name with its province and city before it, each once
    /// (`河南省郑州市金水区`, `北京市朝阳区`).
    pub fn full_name(&self, code: &DivisionCode) -> Option<String> {
        let mut full = String::new();
        let mut last = None;
        let mut chain = vec![code.clone()];
        while let Some(parent) = chain.last().and_then(DivisionCode::parent) {
            chain.push(parent);
        }
        for division in chain.iter().rev() {
            let name = self.name(division.as_str())?;
            if last != Some(name) {
                full.push_str(name);
            }
            last = Some(name);
        }
        Some(full)
    }

    /// The divisions a name may mean: its full name (`郑州市`) or the name
    /// without its ending (`郑州`); several where names repeat (`朝阳区` in
    /// Beijing and in Changchun), none for a name of no division.
    pub fn named(&self, name: &str) -> Vec<DivisionCode> {
        self.by_name
            .get(name)
            .map(|codes| {
                codes
                    .iter()
                    .map(|code| DivisionCode::parse_issued(code).expect("the list's codes parse"))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The name without its ending, if two characters or more remain and it is
/// not a development zone (named in full only).
fn short_name(name: &'static str) -> Option<&'static str> {
    if name.contains("开发区") || name.contains("实验区") || name.contains("园区") {
        return None;
    }
    ENDINGS
        .iter()
        .find_map(|ending| name.strip_suffix(ending))
        .filter(|short| short.chars().count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn the_list_holds_every_level() {
        let divisions = Divisions::get();
        assert!(divisions.len() > 3_000, "{}", divisions.len());
        assert_eq!(
            divisions.division("410000").map(|d| d.level),
            Some(DivisionLevel::Province)
        );
        assert_eq!(divisions.name("410100"), Some("郑州市"));
        assert_eq!(divisions.name("410105"), Some("金水区"));
        assert_eq!(divisions.name("810000"), Some("香港特别行政区"));
        assert!(!divisions.contains("410199"));
    }

    #[test]
    fn a_city_holds_its_counties_and_a_province_its_cities() {
        let divisions = Divisions::get();
        let zhengzhou = divisions.within(&code("410100"));
        assert_eq!(zhengzhou.first().map(|d| d.code), Some("410100"));
        assert!(zhengzhou.iter().any(|d| d.code == "410105"));
        assert!(zhengzhou.iter().all(|d| d.code.starts_with("4101")));
        let henan = divisions.within(&code("410000"));
        let cities: Vec<&str> = henan
            .iter()
            .filter(|d| d.is_prefecture_city())
            .map(|d| d.code)
            .collect();
        assert_eq!(cities.len(), 17, "Henan's seventeen prefecture cities");
        assert!(
            !cities.contains(&"419000"),
            "directly administered counties are no city"
        );
        assert_eq!(divisions.within(&code("410105")).len(), 1);
    }

    #[test]
    fn groupings_show_their_province() {
        let divisions = Divisions::get();
        assert_eq!(divisions.name("110100"), Some("北京市"));
        assert_eq!(divisions.name("419000"), Some("河南省"));
        assert_eq!(
            divisions.full_name(&code("110105")).as_deref(),
            Some("北京市朝阳区")
        );
        assert_eq!(
            divisions.full_name(&code("410105")).as_deref(),
            Some("河南省郑州市金水区")
        );
    }

    #[test]
    fn places_are_found_by_full_and_short_names() {
        let divisions = Divisions::get();
        assert_eq!(divisions.named("郑州"), [code("410100")]);
        assert_eq!(divisions.named("郑州市"), [code("410100")]);
        assert_eq!(divisions.named("金水区"), [code("410105")]);
        assert_eq!(divisions.named("河南"), [code("410000")]);
        assert!(
            divisions.named("朝阳区").len() >= 2,
            "Beijing and Changchun"
        );
        assert!(divisions.named("电工").is_empty());
        assert!(divisions.named("市辖区").is_empty());
    }
}
