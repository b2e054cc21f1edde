//! The charts of the HTML reports, drawn by plotters as inline SVG.
//!
//! Each chart comes with a text alternative ([`Chart::alt`]) that says in a sentence what the
//! picture shows, for screen readers, for a printed page and for a reader who wants the numbers.
//! A chart never panics: one that cannot be drawn (nothing to draw, a degenerate range) keeps
//! its text and says why there is no picture.

use crate::figure::IntervalRow;
use crate::table::significant;
use maud::{html, Markup, PreEscaped, Render};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The reference side of a comparison (blue) and the current side (orange): two hues that stay
/// apart for the common colour-vision deficiencies.
pub const REFERENCE: RGBColor = RGBColor(0x2f, 0x6d, 0xb5);
/// See [`REFERENCE`].
pub const CURRENT: RGBColor = RGBColor(0xe0, 0x7b, 0x1f);
/// Marks: a threshold, a percentile, the KS distance.
const MARK: RGBColor = RGBColor(0xc0, 0x1c, 0x28);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

const WIDTH: u32 = 520;
const HEIGHT: u32 = 220;
const FONT: &str = "sans-serif";
/// How many rows a text alternative names before it counts the rest.
const NAMED: usize = 10;
/// How many rows a bar chart draws (the words count them all): a page stays readable and
/// bounded whatever a slice column or a class list holds.
const MAX_ROWS: usize = 60;

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// One chart: its SVG and its text alternative.
///
/// ```
/// use mlharness::html::chart::{bars, Chart};
/// let chart: Chart = bars("Violations per column", &[("age".into(), 3.0), ("plan".into(), 1.0)], "rows");
/// assert!(chart.svg().starts_with("<svg"));
/// assert!(chart.alt().contains("age 3"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    svg: String,
    alt: String,
}

impl Chart {
    /// The SVG, empty when the chart could not be drawn.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// What the chart shows, in words.
    pub fn alt(&self) -> &str {
        &self.alt
    }

    fn draw(
        alt: String,
        (width, height): (u32, u32),
        f: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Drawn,
    ) -> Chart {
        let mut svg = String::new();
        let drawn = {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(Into::into)
                .and_then(|()| f(&root))
                .and_then(|()| root.present().map_err(Into::into))
        };
        match drawn {
            Ok(()) => Chart { svg, alt },
            Err(e) => Chart {
                svg: String::new(),
                alt: format!("{alt} (no picture: {e})"),
            },
        }
    }
}

impl Render for Chart {
    fn render(&self) -> Markup {
        html! {
            figure.chart {
                @if self.svg.is_empty() {
                    p.nochart { "No chart." }
                } @else {
                    div.plot role="img" aria-label=(self.alt) { (PreEscaped(&self.svg)) }
                }
                figcaption { (self.alt) }
            }
        }
    }
}

fn tick(x: &f64) -> String {
    significant(*x, 3)
}

fn share(count: f64, total: f64) -> f64 {
    if total > 0.0 {
        count / total
    } else {
        0.0
    }
}

/// A range that plotters can draw: widened when empty, so a constant column still has an axis.
///
/// A range with an infinite or NaN end is refused: plotters would never finish laying out the
/// labels of an infinite axis (a diverged model's infinite error reaches the charts).
fn span(lo: f64, hi: f64) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    // An axis from -f64::MAX to f64::MAX has finite ends and an infinite width.
    if !lo.is_finite() || !hi.is_finite() || !(hi - lo).is_finite() {
        return Err(format!("no finite range ({lo} to {hi})").into());
    }
    Ok(if hi > lo {
        (lo, hi)
    } else {
        let pad = if lo == 0.0 { 0.5 } else { lo.abs() * 0.05 };
        (lo - pad, hi + pad)
    })
}

/// Axes for a value range against a count or share: the layout of [`histograms`], [`ecdfs`]
/// and [`latency`] — a caption, light horizontal grid lines, few labels, `(x, y)` descriptions
/// (an empty one is left out).
fn plane<'a, 'b: 'a>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    caption: &str,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    (x_desc, y_desc): (&str, &str),
) -> Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn std::error::Error>,
> {
    let mut chart = ChartBuilder::on(root)
        .caption(caption, (FONT, 16))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    {
        let mut mesh = chart.configure_mesh();
        mesh.max_light_lines(0)
            .x_labels(6)
            .y_labels(5)
            .disable_x_mesh()
            .y_desc(y_desc)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, 13));
        if !x_desc.is_empty() {
            mesh.x_desc(x_desc);
        }
        mesh.draw()?;
    }
    Ok(chart)
}

/// The legend of a chart's labelled series, in a corner.
fn legend<'a, 'b: 'a>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    position: SeriesLabelPosition,
) -> Drawn {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(INK.mix(0.3))
        .label_font((FONT, 13))
        .draw()?;
    Ok(())
}

/// Two histograms over the same bins, overlaid, each as the share of its side's values per bin
/// (so sides of different sizes compare). `edges` has one more entry than each count vector.
///
/// ```
/// use mlharness::html::chart::histograms;
/// let c = histograms("tenure", &[0.0, 1.0, 2.0], [("reference", &[3, 1][..]), ("current", &[1, 3][..])]);
/// assert!(c.svg().contains("<rect"));
/// assert!(c.alt().contains("reference"));
/// ```
pub fn histograms(title: &str, edges: &[f64], sides: [(&str, &[usize]); 2]) -> Chart {
    let bins = edges.len().saturating_sub(1);
    let totals = sides.map(|(_, c)| c.iter().sum::<usize>() as f64);
    // The fullest bin's middle; none for an empty side or bins that do not fit the edges.
    let mode = |counts: &[usize]| {
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .max_by_key(|(_, c)| **c)
            .and_then(|(i, _)| Some((edges.get(i)? + edges.get(i + 1)?) / 2.0))
    };
    let alt = format!(
        "Histogram of {title} over {bins} bins from {} to {}: {} values in the {} (most around {}), {} in the {} (most around {}).",
        tick(edges.first().unwrap_or(&0.0)),
        tick(edges.last().unwrap_or(&0.0)),
        totals[0],
        sides[0].0,
        mode(sides[0].1).map_or("-".into(), |m| tick(&m)),
        totals[1],
        sides[1].0,
        mode(sides[1].1).map_or("-".into(), |m| tick(&m)),
    );
    Chart::draw(alt, (WIDTH, HEIGHT), |root| {
        if bins == 0 || sides.iter().any(|(_, c)| c.len() != bins) {
            return Err("no bins".into());
        }
        let (lo, hi) = span(edges[0], edges[bins])?;
        let top = (0..2)
            .flat_map(|s| sides[s].1.iter().map(move |c| share(*c as f64, totals[s])))
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.1;
        let mut chart = plane(
            root,
            &format!("{title}: distribution"),
            (lo, hi),
            (0.0, top),
            ("", "share"),
        )?;
        for (s, color) in [REFERENCE, CURRENT].into_iter().enumerate() {
            let (name, counts) = sides[s];
            chart
                .draw_series(counts.iter().enumerate().map(|(i, c)| {
                    let y = share(*c as f64, totals[s]);
                    Rectangle::new(
                        [(edges[i], 0.0), (edges[i + 1], y)],
                        color.mix(0.45).filled(),
                    )
                }))?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.mix(0.6).filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// Where two ECDFs are furthest apart: the KS distance, drawn as a vertical mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gap {
    /// The value where the distance is largest.
    pub x: f64,
    /// The first side's ECDF there.
    pub first: f64,
    /// The second side's ECDF there.
    pub second: f64,
}

/// Two empirical CDFs, each given by its quantiles at evenly spaced probabilities (0 to 1), with
/// the largest gap between them marked.
///
/// ```
/// use mlharness::html::chart::{ecdfs, Gap};
/// let gap = Gap { x: 1.0, first: 0.75, second: 0.25 };
/// let c = ecdfs("tenure", [("reference", &[0.0, 1.0, 2.0][..]), ("current", &[0.5, 1.5, 2.5][..])], Some(gap));
/// assert!(c.alt().contains("0.5 at 1"));
/// ```
pub fn ecdfs(title: &str, sides: [(&str, &[f64]); 2], gap: Option<Gap>) -> Chart {
    let alt = match gap {
        Some(g) => format!(
            "ECDFs of {title}: the largest distance between the {} and the {} is {} at {} ({} vs {}).",
            sides[0].0,
            sides[1].0,
            tick(&(g.first - g.second).abs()),
            tick(&g.x),
            tick(&g.first),
            tick(&g.second)
        ),
        None => format!("ECDFs of {title}, {} and {}.", sides[0].0, sides[1].0),
    };
    Chart::draw(alt, (WIDTH, HEIGHT), |root| {
        let values = || sides.iter().flat_map(|(_, q)| q.iter().copied());
        if sides.iter().any(|(_, q)| q.len() < 2) {
            return Err("fewer than two quantiles".into());
        }
        let (lo, hi) = span(
            values().fold(f64::INFINITY, f64::min),
            values().fold(f64::NEG_INFINITY, f64::max),
        )?;
        let mut chart = plane(
            root,
            &format!("{title}: ECDF"),
            (lo, hi),
            (0.0, 1.0),
            ("", "share ≤ x"),
        )?;
        for ((name, q), color) in sides.into_iter().zip([REFERENCE, CURRENT]) {
            let last = (q.len() - 1) as f64;
            let points = q.iter().enumerate().map(|(i, x)| (*x, i as f64 / last));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 12, y)], color.stroke_width(2))
                });
        }
        if let Some(g) = gap {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(g.x, g.first), (g.x, g.second)],
                    MARK.stroke_width(3),
                )))?
                .label(format!("KS {}", tick(&(g.first - g.second).abs())))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x + 6, y - 6), (x + 6, y + 6)], MARK.stroke_width(3))
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

/// Horizontal bars in pixel rows, one row per label, with the labels drawn left of the plot:
/// the layout shared by [`category_shares`], [`bars`] and [`intervals`].
fn rows_chart<'a, 'b: 'a>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    caption: &str,
    labels: &[String],
    (lo, hi): (f64, f64),
    x_desc: &str,
    draw: impl FnOnce(
        &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    ) -> Drawn,
) -> Drawn {
    if labels.is_empty() {
        return Err("nothing to draw".into());
    }
    let widest = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(28) as u32;
    let (lo, hi) = span(lo, hi)?;
    let n = labels.len() as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(caption, (FONT, 16))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(12 + 7 * widest)
        .build_cartesian_2d(lo..hi, n..0.0)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(x_desc)
        .x_label_formatter(&tick)
        .label_style((FONT, 13))
        .draw()?;
    let style = TextStyle::from((FONT, 13).into_font()).color(&INK).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    for (i, label) in labels.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(lo, i as f64 + 0.5));
        let shown: String = if label.chars().count() > 28 {
            label.chars().take(27).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        root.draw(&Text::new(shown, (px - 4, py), style.clone()))?;
    }
    draw(&mut chart)
}

fn rows_height(rows: usize) -> u32 {
    (70 + 18 * rows as u32).max(120)
}

/// The share of each level on two sides, as pairs of horizontal bars.
///
/// ```
/// use mlharness::html::chart::category_shares;
/// let levels = vec!["basic".to_string(), "premium".to_string()];
/// let c = category_shares("plan", &levels, [("reference", &[80.0, 20.0][..]), ("current", &[50.0, 50.0][..])]);
/// assert!(c.alt().contains("premium 20% → 50%"));
/// ```
pub fn category_shares(title: &str, levels: &[String], sides: [(&str, &[f64]); 2]) -> Chart {
    let totals = sides.map(|(_, c)| c.iter().sum::<f64>());
    let shares = |s: usize, i: usize| share(sides[s].1.get(i).copied().unwrap_or(0.0), totals[s]);
    // The levels that moved most are named; a long tail is counted, not listed.
    let mut by_change: Vec<usize> = (0..levels.len()).collect();
    by_change.sort_by(|a, b| {
        let d = |i: usize| (shares(1, i) - shares(0, i)).abs();
        d(*b).total_cmp(&d(*a))
    });
    let mut moved: Vec<String> = by_change
        .iter()
        .take(NAMED)
        .map(|&i| {
            format!(
                "{} {}% → {}%",
                levels[i],
                significant(100.0 * shares(0, i), 3),
                significant(100.0 * shares(1, i), 3)
            )
        })
        .collect();
    if levels.len() > NAMED {
        moved.push(format!("and {} more levels", levels.len() - NAMED));
    }
    let alt = format!(
        "Share of each level of {title}, {} → {}, largest changes first: {}.",
        sides[0].0,
        sides[1].0,
        moved.join(", ")
    );
    let shown = levels.len().min(MAX_ROWS);
    Chart::draw(alt, (WIDTH, rows_height(shown)), |root| {
        let top = (0..shown)
            .flat_map(|i| [shares(0, i), shares(1, i)])
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.35; // room on the right for the legend, clear of the longest bar
        rows_chart(
            root,
            &format!("{title}: share per level"),
            &levels[..shown],
            (0.0, top),
            "share",
            |chart| {
                for (s, color) in [REFERENCE, CURRENT].into_iter().enumerate() {
                    let offset = s as f64 * 0.4;
                    chart
                        .draw_series((0..shown).map(|i| {
                            let y = i as f64 + 0.1 + offset;
                            Rectangle::new(
                                [(0.0, y), (shares(s, i), y + 0.4)],
                                color.mix(0.8).filled(),
                            )
                        }))?
                        .label(sides[s].0)
                        .legend(move |(x, y)| {
                            Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                        });
                }
                legend(chart, SeriesLabelPosition::UpperRight)?;
                Ok(())
            },
        )
    })
}

/// One horizontal bar per label: a count or a share, `unit` naming it.
///
/// ```
/// use mlharness::html::chart::bars;
/// let c = bars("Changed rows per class", &[("churned".into(), 12.0)], "rows");
/// assert!(c.alt().contains("churned 12"));
/// ```
pub fn bars(title: &str, rows: &[(String, f64)], unit: &str) -> Chart {
    let mut listed: Vec<String> = rows
        .iter()
        .take(NAMED)
        .map(|(l, v)| format!("{l} {}", significant(*v, 4)))
        .collect();
    if rows.len() > NAMED {
        listed.push(format!("and {} more", rows.len() - NAMED));
    }
    let alt = format!("{title} ({unit}): {}.", listed.join(", "));
    let rows = &rows[..rows.len().min(MAX_ROWS)];
    let labels: Vec<String> = rows.iter().map(|(l, _)| l.clone()).collect();
    Chart::draw(alt, (WIDTH, rows_height(rows.len())), |root| {
        let top = rows
            .iter()
            .map(|r| r.1)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.05;
        rows_chart(root, title, &labels, (0.0, top), unit, |chart| {
            // A NaN or infinite value has no bar; the words above name it.
            chart.draw_series(
                rows.iter()
                    .enumerate()
                    .filter(|(_, (_, v))| v.is_finite())
                    .map(|(i, (_, v))| {
                        let y = i as f64;
                        Rectangle::new(
                            [(0.0, y + 0.15), (*v, y + 0.85)],
                            REFERENCE.mix(0.8).filled(),
                        )
                    }),
            )?;
            Ok(())
        })
    })
}

/// Estimates with their intervals, one row each, with each row's reference value marked.
///
/// ```
/// use mlharness::figure::IntervalRow;
/// use mlharness::html::chart::intervals;
/// let rows = [IntervalRow { label: "all".into(), estimate: 0.81, low: 0.78, high: 0.84, reference: Some(0.5) }];
/// let c = intervals("ROC AUC against the baseline", &rows, "roc_auc", "baseline");
/// assert!(c.alt().contains("all 0.81 [0.78, 0.84], baseline 0.5"));
/// ```
pub fn intervals(title: &str, rows: &[IntervalRow], unit: &str, reference_name: &str) -> Chart {
    let mut listed: Vec<String> = rows
        .iter()
        .take(NAMED)
        .map(|r| {
            let mut s = format!(
                "{} {} [{}, {}]",
                r.label,
                significant(r.estimate, 4),
                significant(r.low, 4),
                significant(r.high, 4)
            );
            if let Some(b) = r.reference {
                s.push_str(&format!(", {reference_name} {}", significant(b, 4)));
            }
            s
        })
        .collect();
    if rows.len() > NAMED {
        listed.push(format!("and {} more", rows.len() - NAMED));
    }
    let alt = format!("{title} ({unit}): {}.", listed.join("; "));
    let rows = &rows[..rows.len().min(MAX_ROWS)];
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    Chart::draw(alt, (WIDTH, rows_height(rows.len())), |root| {
        let all = rows
            .iter()
            .flat_map(|r| [r.estimate, r.low, r.high].into_iter().chain(r.reference))
            .filter(|v| v.is_finite());
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !lo.is_finite() {
            return Err("no finite values".into());
        }
        let pad = (hi - lo).max(1e-9) * 0.08;
        rows_chart(root, title, &labels, (lo - pad, hi + pad), unit, |chart| {
            // A row with a NaN or infinite end has no mark; the words above give its numbers.
            for (i, r) in rows
                .iter()
                .enumerate()
                .filter(|(_, r)| [r.estimate, r.low, r.high].iter().all(|v| v.is_finite()))
            {
                let y = i as f64 + 0.5;
                chart.draw_series([
                    PathElement::new(vec![(r.low, y), (r.high, y)], REFERENCE.stroke_width(3)),
                    PathElement::new(
                        vec![(r.low, y - 0.2), (r.low, y + 0.2)],
                        REFERENCE.stroke_width(2),
                    ),
                    PathElement::new(
                        vec![(r.high, y - 0.2), (r.high, y + 0.2)],
                        REFERENCE.stroke_width(2),
                    ),
                ])?;
                chart.draw_series(std::iter::once(Circle::new(
                    (r.estimate, y),
                    4,
                    REFERENCE.filled(),
                )))?;
                if let Some(b) = r.reference.filter(|b| b.is_finite()) {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(b, y - 0.35), (b, y + 0.35)],
                        MARK.stroke_width(3),
                    )))?;
                }
            }
            Ok(())
        })
    })
}

/// A histogram of latencies (milliseconds) with named marks (p50, p95, p99, a budget).
///
/// ```
/// use mlharness::html::chart::latency;
/// let samples: Vec<f64> = (1..=100).map(f64::from).collect();
/// let c = latency("POST /predict", &samples, &[("p50", 50.0), ("p99", 99.0)]);
/// assert!(c.alt().contains("p99 99 ms"));
/// ```
pub fn latency(title: &str, samples_ms: &[f64], marks: &[(&str, f64)]) -> Chart {
    let finite: Vec<f64> = samples_ms
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let named: Vec<String> = marks
        .iter()
        .map(|(n, v)| format!("{n} {} ms", significant(*v, 3)))
        .collect();
    let alt = format!(
        "Latency of {title} over {} requests: {}.",
        finite.len(),
        named.join(", ")
    );
    Chart::draw(alt, (WIDTH, HEIGHT), |root| {
        if finite.is_empty() {
            return Err("no samples".into());
        }
        let lo = finite
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
            .min(0.0);
        let hi = finite
            .iter()
            .copied()
            .chain(marks.iter().map(|m| m.1).filter(|v| v.is_finite()))
            .fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = span(lo, hi * 1.02)?;
        const BINS: usize = 40;
        let width = (hi - lo) / BINS as f64;
        let mut counts = [0usize; BINS];
        for v in &finite {
            let i = (((v - lo) / width) as usize).min(BINS - 1);
            counts[i] += 1;
        }
        let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.15;
        let mut chart = plane(
            root,
            &format!("{title}: latency"),
            (lo, hi),
            (0.0, top),
            ("ms", "requests"),
        )?;
        chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
            let x0 = lo + i as f64 * width;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, *c as f64)],
                REFERENCE.mix(0.6).filled(),
            )
        }))?;
        let label = TextStyle::from((FONT, 13).into_font()).color(&MARK);
        for (name, v) in marks.iter().filter(|m| m.1.is_finite()) {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(*v, 0.0), (*v, top * 0.92)],
                MARK.stroke_width(2),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                name.to_string(),
                (*v, top * 0.97),
                label.clone(),
            )))?;
        }
        Ok(())
    })
}
