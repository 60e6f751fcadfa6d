//! `GET /dashboard`: a page for office administrators and the province —
//! the warning level of every region in scope, the monthly trends as
//! charts, the register of zero-employment households (零就业家庭) by
//! state, the month's figures and its layoff plans. Rendered on the
//! server: the tables need no JavaScript, and the charts are SVG drawn
//! here (no script, no CDN). A browser sends its token in the
//! `Authorization` header or, for a bookmark, as `?token=`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use labex_domain::china_date;
use labex_domain::household::HouseholdStatus;
use labex_domain::monitoring::Period;
use labex_domain::value::DivisionCode;
use labex_domain::warning::{Indicator, Series};
use labex_web::{ApiError, Caller, TokenVerifier};
use serde::Deserialize;

use crate::commands::Monitoring;
use crate::queries::{FIGURES, figure_label};
use crate::routes::{parse_period, parse_region};

/// Months shown in the trends.
pub const TREND_MONTHS: i32 = 12;

/// The indicators drawn as trends.
pub const TRENDS: [Indicator; 4] = [
    Indicator::NewUnemploymentRegistrations,
    Indicator::RegisteredUnemployed,
    Indicator::Hires,
    Indicator::Separations,
];

/// `?region=&period=&token=`.
#[derive(Debug, Deserialize)]
pub struct DashboardParams {
    region: Option<String>,
    period: Option<String>,
    token: Option<String>,
}

fn caller_of(request: &HttpRequest, token: Option<&str>) -> Result<Caller, ApiError> {
    let header_token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().strip_prefix("Bearer ").map(str::trim));
    let Some(token) = header_token.or(token) else {
        return Err(ApiError::unauthenticated(
            "The dashboard needs a bearer token: send an Authorization header or open /dashboard?token=<token>.",
        ));
    };
    let verifier = request
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::internal(&"no token verifier in the app data"))?;
    Ok(Caller::new(verifier.verify(token)?))
}

/// The dashboard page.
pub async fn page(
    app: web::Data<Monitoring>,
    request: HttpRequest,
    params: web::Query<DashboardParams>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller_of(&request, params.token.as_deref())?;
    let (region, period) = match (
        parse_region(params.region.as_deref()),
        parse_period(params.period.as_deref()),
    ) {
        (Ok(region), Ok(period)) => (
            region.unwrap_or_else(|| caller.office.clone()),
            period.unwrap_or_else(|| Period::of(china_date(Utc::now()))),
        ),
        (region, period) => {
            return Err(ApiError::invalid_parameters(
                [region.err(), period.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let figures = app.monthly_figures(&caller, region.clone(), period).await?;
    let warnings = app.warnings(&caller, Some(region.clone()), None).await?;
    let (_, series, _) = app
        .indicators(
            &caller,
            Some(region.clone()),
            period.plus(1 - TREND_MONTHS),
            period,
        )
        .await?;
    let plans = app
        .layoff_plans(&caller, Some(region.clone()), period)
        .await?;
    let mut html = String::with_capacity(16 * 1024);
    head(&mut html, &region, period);
    let _ = write!(
        html,
        "<section><h2>预警 Warning levels</h2><table id=\"warnings\"><thead><tr><th>Region</th><th>Level</th><th>Month</th><th>Rule</th><th>Since</th></tr></thead><tbody>"
    );
    if warnings.is_empty() {
        html.push_str("<tr><td colspan=\"5\">No region in scope has had a warning.</td></tr>");
    }
    for row in &warnings {
        let rule = row
            .rule
            .as_deref()
            .and_then(|rule| serde_json::from_str::<serde_json::Value>(rule).ok())
            .and_then(|rule| rule.get("id").and_then(|id| id.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<tr data-region=\"{}\"><td>{}</td><td><span class=\"level {}\" data-level=\"{}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.region),
            escape(&row.region),
            escape(&row.level),
            escape(&row.level),
            escape(&row.level),
            escape(&row.period),
            escape(&rule),
            escape(&row.since)
        );
    }
    html.push_str("</tbody></table></section>");
    trends(&mut html, &series, period);
    households(&mut html, &figures.figures, period);
    let _ = write!(
        html,
        "<section><h2>本月数据 Figures of {period}</h2><table id=\"figures\"><thead><tr><th>Figure</th><th>Value</th></tr></thead><tbody>"
    );
    for name in FIGURES {
        let value = figures.figures.get(name).copied().unwrap_or(0);
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{} <code>{name}</code></th><td data-figure=\"{name}\">{value}</td></tr>",
            figure_label(name)
        );
    }
    html.push_str("</tbody></table></section>");
    html.push_str("<section><h2>裁员预报 Layoff plans reported this month</h2><table id=\"layoff-plans\"><thead><tr><th>Plan</th><th>Employer</th><th>Planned</th><th>Mandatory</th><th>Late</th><th>Status</th><th>Laid off</th></tr></thead><tbody>");
    if plans.is_empty() {
        html.push_str("<tr><td colspan=\"7\">No layoff plan was reported this month.</td></tr>");
    }
    for plan in &plans {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&plan.id),
            escape(&plan.employer_id),
            plan.planned,
            yes_no(plan.mandatory),
            yes_no(plan.late),
            escape(&plan.status),
            plan.laid_off.map(|n| n.to_string()).unwrap_or_default()
        );
    }
    html.push_str("</tbody></table></section></main></body></html>");
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
        ))
        .body(html))
}

/// The register of zero-employment households at the month's end, by
/// state, as the monthly report counts them (`households_<status>`), with
/// the households cleared in the month; a table, and the same numbers as
/// bars.
fn households(html: &mut String, figures: &BTreeMap<String, i64>, period: Period) {
    let rows: Vec<(String, i64)> = HouseholdStatus::ALL
        .iter()
        .map(|status| format!("households_{}", status.as_str()))
        .chain(["households_cleared_in_month".to_owned()])
        .map(|name| {
            let value = figures.get(&name).copied().unwrap_or(0);
            (name, value)
        })
        .collect();
    let _ = write!(
        html,
        "<section><h2>零就业家庭台帐 Zero-employment households, {period}</h2><table id=\"households\"><thead><tr><th>State</th><th>Households</th></tr></thead><tbody>"
    );
    for (name, value) in &rows {
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{} <code>{name}</code></th><td data-household=\"{name}\">{value}</td></tr>",
            figure_label(name)
        );
    }
    html.push_str("</tbody></table>");
    bars(html, "households", &rows);
    html.push_str("</section>");
}

/// A horizontal bar chart of `rows`, as inline SVG.
fn bars(html: &mut String, name: &str, rows: &[(String, i64)]) {
    const WIDTH: f64 = 480.0;
    const ROW: f64 = 22.0;
    const LABEL: f64 = 210.0;
    let height = ROW * rows.len() as f64 + 8.0;
    let max = rows
        .iter()
        .map(|(_, value)| *value)
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = write!(
        html,
        "<svg class=\"bars\" data-chart=\"{name}\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{name}\"><title>{name}</title>"
    );
    for (index, (figure, value)) in rows.iter().enumerate() {
        let y = 4.0 + ROW * index as f64;
        let length = (WIDTH - LABEL - 40.0) * (*value).max(0) as f64 / max as f64;
        let _ = write!(
            html,
            "<text x=\"4\" y=\"{:.1}\" font-size=\"11\">{}</text><rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{length:.1}\" height=\"{:.1}\" fill=\"#37a\" data-figure-bar=\"{figure}\" data-value=\"{value}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{value}</text>",
            y + 14.0,
            figure_label(figure),
            ROW - 6.0,
            LABEL + length + 4.0,
            y + 14.0
        );
    }
    html.push_str("</svg>");
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn head(html: &mut String, region: &DivisionCode, period: Period) {
    let _ = write!(
        html,
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Labex 监测 {region} {period}</title>\
<style>body{{font-family:sans-serif;margin:1.5em;color:#222}}table{{border-collapse:collapse;margin:.5em 0}}\
td,th{{border:1px solid #bbb;padding:.25em .6em;text-align:left}}td[data-figure]{{text-align:right}}\
.level{{padding:.1em .5em;border-radius:.3em}}.none{{background:#eee}}.blue{{background:#9cf}}.yellow{{background:#fe6}}\
.orange{{background:#fb6}}.red{{background:#f77}}svg{{background:#fafafa;border:1px solid #ddd;margin-right:1em}}\
.charts{{display:flex;flex-wrap:wrap}}</style></head><body><main><h1>就业失业监测 Monitoring — {region}, {period}</h1>"
    );
}

/// One line chart per trend indicator, and the table of the same numbers.
fn trends(html: &mut String, series: &Series, period: Period) {
    let months: Vec<Period> = (0..TREND_MONTHS)
        .map(|back| period.plus(back + 1 - TREND_MONTHS))
        .collect();
    html.push_str("<section><h2>月度趋势 Monthly trends</h2><div class=\"charts\">");
    for indicator in TRENDS {
        let values: Vec<i64> = months
            .iter()
            .map(|month| {
                series
                    .get(month)
                    .and_then(|row| row.get(&indicator))
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        chart(html, indicator.as_str(), &months, &values);
    }
    html.push_str("</div><table id=\"trends\"><thead><tr><th>Month</th>");
    for indicator in TRENDS {
        let _ = write!(html, "<th>{}</th>", indicator.as_str());
    }
    html.push_str("</tr></thead><tbody>");
    for month in &months {
        let _ = write!(html, "<tr><th scope=\"row\">{month}</th>");
        for indicator in TRENDS {
            let value = series
                .get(month)
                .and_then(|row| row.get(&indicator))
                .copied()
                .unwrap_or(0);
            let _ = write!(
                html,
                "<td data-trend=\"{}\" data-period=\"{month}\">{value}</td>",
                indicator.as_str()
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></section>");
}

/// A line chart of `values` over `months`, 320 × 160, as inline SVG.
fn chart(html: &mut String, name: &str, months: &[Period], values: &[i64]) {
    const WIDTH: f64 = 320.0;
    const HEIGHT: f64 = 160.0;
    const MARGIN: f64 = 28.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let step = (WIDTH - 2.0 * MARGIN) / (values.len().max(2) - 1) as f64;
    let point = |index: usize, value: i64| {
        let x = MARGIN + step * index as f64;
        let y = HEIGHT - MARGIN - (HEIGHT - 2.0 * MARGIN) * value as f64 / max as f64;
        (x, y)
    };
    let _ = write!(
        html,
        "<svg class=\"chart\" data-chart=\"{name}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{name}\"><title>{name}</title>\
<text x=\"{MARGIN}\" y=\"16\" font-size=\"12\">{name}</text>\
<line x1=\"{MARGIN}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/><line x1=\"{MARGIN}\" y1=\"{MARGIN}\" x2=\"{MARGIN}\" y2=\"{}\" stroke=\"#888\"/>\
<text x=\"2\" y=\"{}\" font-size=\"10\">{max}</text><text x=\"2\" y=\"{}\" font-size=\"10\">0</text>",
        HEIGHT - MARGIN,
        WIDTH - MARGIN,
        HEIGHT - MARGIN,
        HEIGHT - MARGIN,
        MARGIN + 4.0,
        HEIGHT - MARGIN
    );
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let (x, y) = point(index, *value);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        html,
        "<polyline fill=\"none\" stroke=\"#1a6\" stroke-width=\"2\" points=\"{}\"/>",
        points.join(" ")
    );
    for (index, (value, month)) in values.iter().zip(months).enumerate() {
        let (x, y) = point(index, *value);
        let _ = write!(
            html,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#1a6\" data-period=\"{month}\" data-value=\"{value}\"><title>{month}: {value}</title></circle>"
        );
    }
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        let _ = write!(
            html,
            "<text x=\"{MARGIN}\" y=\"{}\" font-size=\"10\">{first}</text><text x=\"{}\" y=\"{}\" font-size=\"10\">{last}</text>",
            HEIGHT - 8.0,
            WIDTH - MARGIN - 36.0,
            HEIGHT - 8.0
        );
    }
    html.push_str("</svg>");
}

/// Text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
