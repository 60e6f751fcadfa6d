//! The relevance fixture: Chinese and English vacancies in Zhengzhou,
//! Kaifeng, Luoyang and Wuhan, each under a short key.

use std::collections::HashMap;

use labex_domain::VacancyId;
use serde_json::json;

use crate::support::{TestIndex, VacancySpec, vacancy_event};

/// Every vacancy of the fixture, by key.
pub fn vacancies() -> Vec<(&'static str, VacancySpec)> {
    vec![
        // Welding.
        (
            "weld_zh",
            VacancySpec::new(
                "招聘电焊工3名",
                "电焊工",
                "持焊工证，熟练二氧化碳保护焊，钢结构厂房，包吃住。",
            )
            .occupation_code("6-18-02-04")
            .salary(6000, 9000)
            .education("junior_secondary")
            .welcomes(&["migrant_worker"])
            .days_ago(3),
        ),
        (
            "weld_argon",
            VacancySpec::new(
                "氩弧焊工（不锈钢）",
                "电焊工",
                "不锈钢管道氩弧焊，有焊工证优先，长白班。",
            )
            .occupation_code("6-18-02-04")
            .region("410102")
            .salary(7000, 10000)
            .days_ago(20),
        ),
        (
            "weld_en",
            VacancySpec::new(
                "Welder (MIG/TIG)",
                "电焊工",
                "Experienced welder for steel structures; a welding certificate is required.",
            )
            .occupation_code("6-18-02-04")
            .salary(6500, 9500)
            .days_ago(8),
        ),
        (
            "weld_apprentice",
            VacancySpec::new(
                "钢结构焊接学徒",
                "电焊工",
                "零基础可学，师傅带教电焊技术，学成后转正。",
            )
            .occupation_code("6-18-02-04")
            .region("410202")
            .salary(3500, 5000)
            .welcomes(&["urban_new_labour", "returning_migrant"])
            .days_ago(40),
        ),
        (
            "weld_closed",
            VacancySpec::new("电焊工（已招满）", "电焊工", "焊工，已招满。")
                .occupation_code("6-18-02-04")
                .salary(6000, 8000)
                .days_ago(60),
        ),
        // Driving.
        (
            "forklift_zh",
            VacancySpec::new(
                "仓库叉车司机",
                "叉车司机",
                "持叉车证，负责仓库货物装卸搬运，两班倒。",
            )
            .salary(5000, 7000)
            .welcomes(&["laid_off", "migrant_worker"])
            .days_ago(5),
        ),
        (
            "forklift_en",
            VacancySpec::new(
                "Forklift driver",
                "叉车司机",
                "Forklift driver for a logistics warehouse; licence required, day shifts.",
            )
            .region("410122")
            .salary(5500, 7500)
            .days_ago(12),
        ),
        (
            "truck_zh",
            VacancySpec::new(
                "货车司机（C1/B2）",
                "道路货运驾驶员",
                "驾驶4.2米厢式货车市内配送，驾龄三年以上。",
            )
            .occupation_code("4-02-02-02")
            .region("410103")
            .salary(7000, 9000)
            .days_ago(7),
        ),
        (
            "bus_zh",
            VacancySpec::new(
                "公交车驾驶员",
                "道路客运驾驶员",
                "持A1驾照，驾驶城市公交线路，五险一金。",
            )
            .occupation_code("4-02-02-01")
            .region("410302")
            .salary(6000, 8000)
            .education("junior_secondary")
            .days_ago(15),
        ),
        (
            "ride_zh",
            VacancySpec::new(
                "网约车司机",
                "道路客运驾驶员",
                "平台提供车辆，时间自由，多劳多得。",
            )
            .salary(5000, 12000)
            .days_ago(2),
        ),
        (
            "truck_en",
            VacancySpec::new(
                "Delivery truck driver",
                "道路货运驾驶员",
                "Drive a delivery truck on city routes; clean driving record.",
            )
            .region("420102")
            .salary(6000, 8000)
            .days_ago(9),
        ),
        // Cleaning.
        (
            "clean_office",
            VacancySpec::new(
                "写字楼保洁员",
                "保洁员",
                "负责办公区域清洁，早班，年龄55岁以下。",
            )
            .salary(2500, 3200)
            .welcomes(&["hardship"])
            .days_ago(6),
        ),
        (
            "clean_welfare",
            VacancySpec::new(
                "公益性岗位：社区清洁工",
                "保洁员",
                "社区道路和公共区域清洁，面向就业困难人员。",
            )
            .region("410103")
            .salary(2200, 2500)
            .welcomes(&["hardship", "zero_employment_household", "disabled"])
            .public_welfare()
            .days_ago(4),
        ),
        (
            "clean_en",
            VacancySpec::new(
                "Office cleaner",
                "保洁员",
                "Evening office cleaner, part of a small cleaning team.",
            )
            .salary(2600, 3000)
            .days_ago(11),
        ),
        // Cooking.
        (
            "cook_zh",
            VacancySpec::new(
                "中餐厨师",
                "中式烹调师",
                "熟悉豫菜，有三年以上厨师经验，负责热菜。",
            )
            .occupation_code("4-03-02-01")
            .salary(6000, 8000)
            .days_ago(9),
        ),
        (
            "cook_canteen",
            VacancySpec::new(
                "学校食堂炊事员",
                "中式烹调师",
                "学校食堂大锅菜制作，寒暑假休息。",
            )
            .region("410202")
            .salary(3000, 4000)
            .days_ago(14),
        ),
        (
            "cook_en",
            VacancySpec::new(
                "Line cook",
                "中式烹调师",
                "Line cook for a busy restaurant kitchen; weekend shifts.",
            )
            .salary(4500, 6000)
            .days_ago(13),
        ),
        // Software.
        (
            "rust_zh",
            VacancySpec::new(
                "Rust 开发工程师",
                "软件开发",
                "开发就业服务平台后端，要求熟悉 SQL。",
            )
            .salary(8000, 12000)
            .education("associate")
            .welcomes(&["graduate", "laid_off"])
            .days_ago(1),
        ),
        (
            "java_zh",
            VacancySpec::new(
                "Java开发工程师",
                "软件开发",
                "Spring Boot 微服务开发，三年经验。",
            )
            .salary(10000, 15000)
            .education("bachelor")
            .days_ago(16),
        ),
        (
            "rust_en",
            VacancySpec::new(
                "Senior Rust developer",
                "软件开发",
                "Build search and matching services in Rust for public employment offices.",
            )
            .region("420102")
            .salary(15000, 25000)
            .education("bachelor")
            .days_ago(3),
        ),
        (
            "frontend_zh",
            VacancySpec::new(
                "前端开发工程师",
                "软件开发",
                "Vue 与 TypeScript 前端开发，应届毕业生可投。",
            )
            .salary(7000, 11000)
            .education("associate")
            .welcomes(&["graduate"])
            .days_ago(21),
        ),
        // Other work.
        (
            "housekeeper",
            VacancySpec::new(
                "住家家政服务员",
                "家政服务员",
                "住家保姆，照顾两位老人起居。",
            )
            .salary(5000, 6500)
            .welcomes(&["migrant_worker"])
            .days_ago(18),
        ),
        (
            "nanny",
            VacancySpec::new("育婴员", "育婴员", "照护0到3岁婴幼儿，持育婴员证。")
                .salary(6000, 9000)
                .days_ago(25),
        ),
        (
            "guard",
            VacancySpec::new("小区保安", "保安员", "小区门岗值守，夜班，45岁以下。")
                .salary(3000, 3800)
                .welcomes(&["laid_off"])
                .days_ago(30),
        ),
        (
            "courier",
            VacancySpec::new("快递员", "快递员", "负责片区快递收派，多劳多得。")
                .region("410102")
                .salary(6000, 10000)
                .days_ago(2),
        ),
        (
            "cashier",
            VacancySpec::new("超市收银员", "收银员", "超市收银，轮班制，提供工作餐。")
                .region("410202")
                .salary(2800, 3500)
                .days_ago(19),
        ),
        (
            "accountant",
            VacancySpec::new("会计", "会计", "熟悉用友财务软件，持初级会计证。")
                .salary(5000, 7000)
                .education("associate")
                .days_ago(22),
        ),
        (
            "electrician",
            VacancySpec::new("维修电工", "电工", "持低压电工证，负责厂区设备维修。")
                .occupation_code("6-31-01-03")
                .region("410122")
                .salary(6000, 8500)
                .education("senior_secondary")
                .days_ago(17),
        ),
        (
            "warehouse_zh",
            VacancySpec::new(
                "仓库管理员",
                "仓库管理员",
                "负责出入库登记和盘点，会开叉车优先。",
            )
            .salary(4500, 6000)
            .education("senior_secondary")
            .days_ago(26),
        ),
        (
            "warehouse_en",
            VacancySpec::new(
                "Warehouse clerk",
                "仓库管理员",
                "Stock counts and dispatch records for a distribution centre.",
            )
            .region("410302")
            .salary(4000, 5500)
            .days_ago(27),
        ),
        (
            "carer",
            VacancySpec::new("医院护工", "护理员", "医院病房陪护，做一休一。")
                .region("410103")
                .salary(4500, 6000)
                .welcomes(&["laid_off", "hardship"])
                .days_ago(8),
        ),
        (
            "waiter",
            VacancySpec::new("餐厅服务员", "餐厅服务员", "迎宾点餐传菜，包吃住。")
                .salary(3500, 4500)
                .welcomes(&["migrant_worker", "urban_new_labour"])
                .days_ago(5),
        ),
    ]
}

/// The fixture, indexed and committed, with the id of every key.
pub struct Fixture {
    pub index: TestIndex,
    pub ids: HashMap<&'static str, VacancyId>,
}

impl Fixture {
    pub fn build() -> Self {
        let mut index = TestIndex::new();
        let mut ids = HashMap::new();
        for (key, spec) in vacancies() {
            ids.insert(key, index.publish(&spec));
        }
        let closed = ids["weld_closed"];
        index.apply(vacancy_event(
            "VacancyClosed",
            json!({"vacancy_id": closed, "reason": "filled_elsewhere", "note": null}),
        ));
        index.commit();
        Self { index, ids }
    }

    /// The key of a hit's id.
    pub fn key(&self, id: &str) -> &'static str {
        self.ids
            .iter()
            .find(|(_, vacancy)| vacancy.as_uuid().to_string() == id)
            .map(|(key, _)| *key)
            .unwrap_or("?")
    }

    pub fn id(&self, key: &str) -> String {
        self.ids[key].as_uuid().to_string()
    }
}
