//! Charts drawn with `plotters`, each written as SVG and PNG.
//!
//! Two chart kinds cover the paper's figures: grouped bars (one group per
//! benchmark, one bar per runtime, optionally log scale, optionally a
//! marker level per group) and stacked bars (one bar per runtime, one layer
//! per ELF section, in one or more panels).
//!
//! A failed cell is drawn as a red ✕ at the foot of its bar position and
//! listed in the legend as *failed*; a cell with no data is left empty.
//! Neither is ever drawn as a zero-height bar of value 0.
//!
//! Text in the PNG files needs a font file: DejaVu Sans from Debian's
//! `fonts-dejavu-core` (or the file named by `$TREVM_FONT`) is loaded at run
//! time; no system font discovery is done.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Default font file (Debian package `fonts-dejavu-core`).
pub const DEJAVU_SANS: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Environment variable naming another `.ttf` file to use.
pub const ENV_FONT: &str = "TREVM_FONT";

const FONT: &str = "sans-serif";

/// A chart could not be drawn or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlotError {}

static FONT_STATE: OnceLock<Result<(), String>> = OnceLock::new();

/// Loads and registers the font once. Fails with a message naming the
/// Debian package when the file is missing.
pub fn ensure_font() -> Result<(), PlotError> {
    FONT_STATE
        .get_or_init(|| {
            let path = std::env::var(ENV_FONT).unwrap_or_else(|_| DEJAVU_SANS.to_string());
            let bytes = std::fs::read(&path).map_err(|e| {
                format!(
                    "cannot read the font {path}: {e}. Install Debian's fonts-dejavu-core \
                     (apt-get install -y fonts-dejavu-core) or set {ENV_FONT} to a .ttf file"
                )
            })?;
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            for style in [FontStyle::Normal, FontStyle::Bold] {
                plotters::style::register_font(FONT, style, bytes)
                    .map_err(|_| format!("{path} is not a usable TrueType/OpenType font"))?;
            }
            Ok(())
        })
        .clone()
        .map_err(PlotError)
}

/// One bar's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Bar {
    /// A measured value (in the chart's display unit).
    Value(f64),
    /// The cell failed (reason).
    Failed(String),
    /// No data.
    Missing,
}

impl From<&crate::dataset::Value> for Bar {
    fn from(v: &crate::dataset::Value) -> Self {
        match v {
            crate::dataset::Value::Ok { value, .. } => Bar::Value(*value),
            crate::dataset::Value::Failed(r) => Bar::Failed(r.clone()),
            crate::dataset::Value::Missing => Bar::Missing,
        }
    }
}

/// A named, coloured row of bars (one value per category).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Fill colour.
    pub color: RGBColor,
    /// One value per category.
    pub values: Vec<Bar>,
}

/// Value axis scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear, from 0.
    Linear,
    /// Base-10 logarithmic.
    Log,
}

/// Grouped bar chart (Figures 1-4 and 6).
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Caption.
    pub title: String,
    /// Category axis description.
    pub x_label: String,
    /// Value axis description, with unit.
    pub y_label: String,
    /// Category names (benchmarks).
    pub categories: Vec<String>,
    /// One series per runtime.
    pub series: Vec<Series>,
    /// Value axis scale.
    pub scale: Scale,
    /// Per category, an optional level drawn as a black line across the group.
    pub markers: Vec<Option<f64>>,
    /// Legend text of the marker line.
    pub marker_label: String,
    /// Heading of the legend (`runtime`, ...).
    pub legend_title: String,
    /// Bars start at this value instead of the foot of the axis (e.g. 1
    /// for ratios, so that bars below 1 point down).
    pub bar_base: Option<f64>,
}

/// One panel of a stacked bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedPanel {
    /// Panel caption.
    pub title: String,
    /// Category names (runtimes).
    pub categories: Vec<String>,
    /// Layers from bottom to top (sections), one value per category.
    pub layers: Vec<Series>,
    /// Shown instead of bars when the panel has no data.
    pub empty_note: String,
}

/// Stacked bar chart in one or more side-by-side panels (Figure 5).
#[derive(Debug, Clone, PartialEq)]
pub struct StackedChart {
    /// Caption over all panels.
    pub title: String,
    /// Category axis description.
    pub x_label: String,
    /// Value axis description, with unit.
    pub y_label: String,
    /// The panels.
    pub panels: Vec<StackedPanel>,
}

/// Colour of a runtime, fixed so that all figures agree: the catalog's for
/// its variants, one of a few extra colours (by name) for any other label.
pub fn runtime_color(runtime: &str) -> RGBColor {
    if let Some(r) = trevm_catalog::runtime::find(runtime) {
        let [red, green, blue] = r.colour;
        return RGBColor(red, green, blue);
    }
    const EXTRA: [RGBColor; 4] = [
        RGBColor(23, 190, 207),
        RGBColor(57, 59, 121),
        RGBColor(132, 60, 57),
        RGBColor(99, 121, 57),
    ];
    let h = runtime
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
    EXTRA[h % EXTRA.len()]
}

/// Colour of an ELF section layer.
pub fn section_color(section: &str) -> RGBColor {
    match section {
        ".text" => RGBColor(31, 119, 180),
        ".rodata" => RGBColor(255, 127, 14),
        ".data" => RGBColor(44, 160, 44),
        _ => RGBColor(148, 103, 189),
    }
}

const FAILED_COLOR: RGBColor = RGBColor(214, 39, 40);
const LEGEND_W: u32 = 230;

/// Formats an axis tick value compactly.
pub fn fmt_axis(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if a >= 1e6 {
        let e = a.log10().floor() as i32;
        let m = v / 10f64.powi(e);
        if (m - m.round()).abs() < 1e-9 {
            format!("{}e{e}", m.round())
        } else {
            format!("{m:.1}e{e}")
        }
    } else if a >= 1.0 {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let digits = (-a.log10().floor()) as usize + 1;
        let s = format!("{v:.digits$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Value axis: range and tick positions in plot coordinates.
struct Axis {
    scale: Scale,
    lo: f64,
    hi: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Axis {
    fn new(scale: Scale, values: &[f64]) -> Option<Axis> {
        let vals: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && (scale == Scale::Linear || *v > 0.0))
            .collect();
        if vals.is_empty() {
            return None;
        }
        let max = vals.iter().copied().fold(f64::MIN, f64::max);
        match scale {
            Scale::Log => {
                let min = vals.iter().copied().fold(f64::MAX, f64::min);
                let lo = min.log10().floor();
                let mut hi = max.log10().ceil();
                if hi <= lo {
                    hi = lo + 1.0;
                }
                let decades = (hi - lo) as i32;
                let mut bold = Vec::new();
                let mut light = Vec::new();
                for e in lo as i32..=hi as i32 {
                    bold.push(e as f64);
                    if e < hi as i32 {
                        for k in 2..10 {
                            let p = e as f64 + (k as f64).log10();
                            if decades <= 2 && (k == 2 || k == 5) {
                                bold.push(p);
                            } else {
                                light.push(p);
                            }
                        }
                    }
                }
                Some(Axis {
                    scale,
                    lo,
                    hi,
                    bold,
                    light,
                })
            }
            Scale::Linear => {
                let top = if max > 0.0 { max * 1.08 } else { 1.0 };
                let raw = top / 6.0;
                let mag = 10f64.powf(raw.log10().floor());
                let step = [1.0, 2.0, 2.5, 5.0, 10.0]
                    .iter()
                    .map(|m| m * mag)
                    .find(|s| *s >= raw)
                    .unwrap_or(10.0 * mag);
                let hi = (top / step).ceil() * step;
                let bold = (0..=((hi / step).round() as usize))
                    .map(|i| i as f64 * step)
                    .collect();
                let light = (0..(hi / step * 2.0).round() as usize)
                    .map(|i| i as f64 * step / 2.0)
                    .collect();
                Some(Axis {
                    scale,
                    lo: 0.0,
                    hi,
                    bold,
                    light,
                })
            }
        }
    }

    fn to_plot(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Linear => v,
            Scale::Log => v.max(10f64.powf(self.lo)).log10(),
        }
    }

    fn value_at(&self, p: f64) -> f64 {
        match self.scale {
            Scale::Linear => p,
            Scale::Log => 10f64.powf(p),
        }
    }
}

/// A linear f64 axis with explicitly chosen tick positions (bold ticks get
/// labels, light ones only grid lines).
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (t * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            let mut v = self.light.clone();
            v.extend(self.bold.iter().copied());
            v
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

fn categories_axis(n: usize) -> Ticked {
    Ticked {
        lo: 0.0,
        hi: n as f64,
        bold: (0..n).map(|i| i as f64 + 0.5).collect(),
        light: vec![],
    }
}

impl Axis {
    fn ticked(&self) -> Ticked {
        Ticked {
            lo: self.lo,
            hi: self.hi,
            bold: self.bold.clone(),
            light: self.light.clone(),
        }
    }
}

fn e2s<E: fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart that can be drawn on any backend.
pub trait Drawable {
    /// Picture size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the chart on `root`.
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Writes `<stem>.svg` and `<stem>.png` into `dir`.
pub fn render<T: Drawable>(chart: &T, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, PlotError> {
    ensure_font()?;
    std::fs::create_dir_all(dir).map_err(|e| PlotError(format!("{}: {e}", dir.display())))?;
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    let size = chart.size();
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        chart
            .draw_on(&root)
            .and_then(|_| root.present().map_err(e2s))
            .map_err(|e| PlotError(format!("{}: {e}", svg.display())))?;
    }
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        chart
            .draw_on(&root)
            .and_then(|_| root.present().map_err(e2s))
            .map_err(|e| PlotError(format!("{}: {e}", png.display())))?;
    }
    Ok(vec![svg, png])
}

fn text_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&BLACK)
}

fn draw_no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 20),
        text_style(20).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(e2s)?;
    area.draw(&Text::new(
        note.to_string(),
        (w as i32 / 2, h as i32 / 2),
        text_style(16)
            .color(&RGBColor(120, 120, 120))
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(e2s)?;
    Ok(())
}

struct LegendEntry {
    label: String,
    kind: LegendKind,
}

enum LegendKind {
    Fill(RGBColor),
    Failed,
    Line,
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: &str,
    entries: &[LegendEntry],
    footer: &[&str],
) -> Result<(), String> {
    let x = 8;
    let mut y = 50;
    area.draw(&Text::new(
        heading.to_string(),
        (x, y),
        text_style(15).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .map_err(e2s)?;
    y += 26;
    for e in entries {
        match e.kind {
            LegendKind::Fill(c) => area
                .draw(&Rectangle::new([(x, y - 7), (x + 18, y + 7)], c.filled()))
                .map_err(e2s)?,
            LegendKind::Failed => area
                .draw(&Cross::new((x + 9, y), 6, FAILED_COLOR.stroke_width(2)))
                .map_err(e2s)?,
            LegendKind::Line => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + 18, y)],
                    BLACK.stroke_width(2),
                ))
                .map_err(e2s)?,
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x + 26, y),
            text_style(14).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(e2s)?;
        y += 24;
    }
    y += 8;
    for f in footer {
        area.draw(&Text::new(
            f.to_string(),
            (x, y),
            text_style(12)
                .color(&RGBColor(90, 90, 90))
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(e2s)?;
        y += 18;
    }
    Ok(())
}

/// Writes the category names under the x axis, rotated to read upwards and
/// ending just below the axis.
fn draw_category_labels<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<Ticked, Ticked>>,
    categories: &[String],
    y_axis: f64,
) -> Result<(), String> {
    let style = text_style(14)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Right, VPos::Center));
    chart
        .draw_series(categories.iter().enumerate().map(|(i, c)| {
            EmptyElement::at((i as f64 + 0.5, y_axis))
                + Text::new(c.clone(), (0, 10), style.clone())
        }))
        .map_err(e2s)?;
    Ok(())
}

fn label_area(categories: &[String]) -> u32 {
    let longest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(4) as u32;
    (longest * 8 + 24).clamp(40, 220)
}

impl Drawable for BarChart {
    fn size(&self) -> (u32, u32) {
        let per_group = (self.series.len().max(1) as u32 * 9).max(48);
        let w = (self.categories.len() as u32 * per_group + 200 + LEGEND_W).clamp(900, 2400);
        (w, 720)
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(e2s)?;
        let (w, _) = root.dim_in_pixel();
        let (main, legend) = root.split_horizontally(w - LEGEND_W);
        let mut values: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.values.iter())
            .filter_map(|b| match b {
                Bar::Value(v) => Some(*v),
                _ => None,
            })
            .collect();
        values.extend(self.markers.iter().flatten());
        values.extend(self.bar_base);
        let has_failed = self
            .series
            .iter()
            .any(|s| s.values.iter().any(|b| matches!(b, Bar::Failed(_))));
        let Some(axis) = Axis::new(self.scale, &values) else {
            if has_failed {
                // Nothing measured, but failures must still show.
                return self.draw_failed_only(&main, &legend);
            }
            return draw_no_data(&main, &self.title, "no data");
        };
        let n = self.categories.len().max(1);
        let cats = &self.categories;
        let x_fmt = |_: &f64| String::new();
        let y_fmt = |y: &f64| fmt_axis(axis.value_at(*y));
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, (FONT, 22).into_font())
            .margin(12)
            .x_label_area_size(label_area(cats))
            .y_label_area_size(80)
            .build_cartesian_2d(categories_axis(n), axis.ticked())
            .map_err(e2s)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .y_label_style((FONT, 14).into_font())
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .axis_desc_style((FONT, 16).into_font())
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(205, 205, 205))
            .draw()
            .map_err(e2s)?;
        draw_category_labels(&mut chart, cats, axis.lo)?;
        let k = self.series.len().max(1) as f64;
        let bw = 0.8 / k;
        for (j, s) in self.series.iter().enumerate() {
            for (i, b) in s.values.iter().enumerate() {
                let x0 = i as f64 + 0.1 + j as f64 * bw;
                let x1 = x0 + bw * 0.9;
                match b {
                    Bar::Value(v) => {
                        let base = self.bar_base.map(|b| axis.to_plot(b)).unwrap_or(axis.lo);
                        chart
                            .draw_series(std::iter::once(Rectangle::new(
                                [(x0, base), (x1, axis.to_plot(*v))],
                                s.color.filled(),
                            )))
                            .map_err(e2s)?;
                    }
                    Bar::Failed(_) => {
                        let y = axis.lo + (axis.hi - axis.lo) * 0.03;
                        chart
                            .draw_series(std::iter::once(Cross::new(
                                ((x0 + x1) / 2.0, y),
                                5,
                                FAILED_COLOR.stroke_width(2),
                            )))
                            .map_err(e2s)?;
                    }
                    Bar::Missing => {}
                }
            }
        }
        for (i, m) in self.markers.iter().enumerate() {
            if let Some(m) = m {
                let y = axis.to_plot(*m);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(i as f64 + 0.04, y), (i as f64 + 0.96, y)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(e2s)?;
            }
        }
        self.legend(&legend, has_failed)
    }
}

impl BarChart {
    fn legend<DB: DrawingBackend>(
        &self,
        legend: &DrawingArea<DB, Shift>,
        has_failed: bool,
    ) -> Result<(), String> {
        let mut entries: Vec<LegendEntry> = self
            .series
            .iter()
            .map(|s| LegendEntry {
                label: s.name.clone(),
                kind: LegendKind::Fill(s.color),
            })
            .collect();
        if has_failed {
            entries.push(LegendEntry {
                label: "failed (no value)".to_string(),
                kind: LegendKind::Failed,
            });
        }
        if self.markers.iter().any(Option::is_some) {
            entries.push(LegendEntry {
                label: self.marker_label.clone(),
                kind: LegendKind::Line,
            });
        }
        let scale_note = match self.scale {
            Scale::Log => "value axis: log scale",
            Scale::Linear => "value axis: linear",
        };
        draw_legend(
            legend,
            &self.legend_title,
            &entries,
            &["empty slot: no data", scale_note],
        )
    }

    fn draw_failed_only<DB: DrawingBackend>(
        &self,
        main: &DrawingArea<DB, Shift>,
        legend: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        draw_no_data(main, &self.title, "every cell failed: no value to plot")?;
        self.legend(legend, true)
    }
}

impl Drawable for StackedChart {
    fn size(&self) -> (u32, u32) {
        let cats: usize = self.panels.iter().map(|p| p.categories.len().max(3)).sum();
        let w = (cats as u32 * 70 + self.panels.len() as u32 * 140 + LEGEND_W).clamp(900, 2400);
        (w, 680)
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(e2s)?;
        let (w, _) = root.dim_in_pixel();
        let (main, legend) = root.split_horizontally(w - LEGEND_W);
        let main = main
            .titled(&self.title, (FONT, 22).into_font())
            .map_err(e2s)?;
        let k = self.panels.len().max(1);
        let areas = main.split_evenly((1, k));
        let mut has_failed = false;
        let mut layer_names: Vec<(String, RGBColor)> = Vec::new();
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            for l in &panel.layers {
                if !layer_names.iter().any(|(n, _)| *n == l.name) {
                    layer_names.push((l.name.clone(), l.color));
                }
            }
            has_failed |= panel.draw(area, &self.x_label, &self.y_label)?;
        }
        let mut entries: Vec<LegendEntry> = layer_names
            .into_iter()
            .rev()
            .map(|(label, c)| LegendEntry {
                label,
                kind: LegendKind::Fill(c),
            })
            .collect();
        if has_failed {
            entries.push(LegendEntry {
                label: "failed (no value)".to_string(),
                kind: LegendKind::Failed,
            });
        }
        draw_legend(
            &legend,
            "section",
            &entries,
            &["number over bar: total", "empty slot: no data"],
        )
    }
}

impl StackedPanel {
    /// Draws the panel; returns whether any failed cell was drawn.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x_label: &str,
        y_label: &str,
    ) -> Result<bool, String> {
        let n = self.categories.len();
        let mut totals = vec![0.0f64; n];
        let mut failed = vec![false; n];
        let mut any_value = false;
        for l in &self.layers {
            for (i, b) in l.values.iter().enumerate().take(n) {
                match b {
                    Bar::Value(v) => {
                        totals[i] += v.max(0.0);
                        any_value = true;
                    }
                    Bar::Failed(_) => failed[i] = true,
                    Bar::Missing => {}
                }
            }
        }
        let any_failed = failed.iter().any(|f| *f);
        if n == 0 || (!any_value && !any_failed) {
            draw_no_data(area, &self.title, &self.empty_note)?;
            return Ok(false);
        }
        let axis = Axis::new(Scale::Linear, &totals).unwrap_or(Axis {
            scale: Scale::Linear,
            lo: 0.0,
            hi: 1.0,
            bold: vec![0.0, 1.0],
            light: vec![],
        });
        let cats = &self.categories;
        let x_fmt = |_: &f64| String::new();
        let y_fmt = |y: &f64| fmt_axis(*y);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, 18).into_font())
            .margin(12)
            .x_label_area_size(label_area(cats))
            .y_label_area_size(80)
            .build_cartesian_2d(categories_axis(n), axis.ticked())
            .map_err(e2s)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .y_label_style((FONT, 14).into_font())
            .x_desc(x_label)
            .y_desc(y_label)
            .axis_desc_style((FONT, 16).into_font())
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(205, 205, 205))
            .draw()
            .map_err(e2s)?;
        draw_category_labels(&mut chart, cats, axis.lo)?;
        for (i, &is_failed) in failed.iter().enumerate() {
            if is_failed {
                let y = axis.hi * 0.03;
                chart
                    .draw_series(std::iter::once(Cross::new(
                        (i as f64 + 0.5, y),
                        6,
                        FAILED_COLOR.stroke_width(2),
                    )))
                    .map_err(e2s)?;
                continue;
            }
            let mut cum = 0.0;
            let mut drew = false;
            for l in &self.layers {
                if let Some(Bar::Value(v)) = l.values.get(i) {
                    let v = v.max(0.0);
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(i as f64 + 0.2, cum), (i as f64 + 0.8, cum + v)],
                            l.color.filled(),
                        )))
                        .map_err(e2s)?;
                    cum += v;
                    drew = true;
                }
            }
            if drew {
                chart
                    .draw_series(std::iter::once(Text::new(
                        fmt_axis(cum.round()),
                        (i as f64 + 0.5, cum + axis.hi * 0.01),
                        text_style(12).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )))
                    .map_err(e2s)?;
            }
        }
        Ok(any_failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks() {
        assert_eq!(fmt_axis(1000.0), "1000");
        assert_eq!(fmt_axis(1e6), "1e6");
        assert_eq!(fmt_axis(1e5), "100000");
        assert_eq!(fmt_axis(2.5e6), "2.5e6");
        assert_eq!(fmt_axis(0.01), "0.01");
        assert_eq!(fmt_axis(12.5), "12.5");
        let a = Axis::new(Scale::Log, &[30.0, 20000.0]).unwrap();
        assert_eq!((a.lo, a.hi), (1.0, 5.0));
        let l = Axis::new(Scale::Linear, &[0.0, 470.0]).unwrap();
        assert!(l.hi >= 470.0 && l.bold.len() >= 4);
    }
}
