//! A parsed [`Template`] as bytes and back: little-endian integers, length-prefixed strings and
//! lists, one tag byte per enum variant and per `Option`.
//!
//! Every struct is written by destructuring it without `..` and read back by naming every field,
//! so a field added to the model does not compile until it is written and read here too (the
//! cache can never silently drop one). Reading checks everything it reads (lengths against the
//! bytes left, UTF-8, tags, dates, offsets, zones) and answers `None` on anything unexpected: the
//! caller then parses the template instead.

use crate::model::{
    Align, Block, Cell, ClockTime, CodeBlock, Field, Item, ItemId, ItemKind, MetaField, Origin,
    PlannedAt, PlannedEnd, PlannedTime, Section, SharedSlice, SharedStr, Span, SpanStyle, StyleRun,
    Template, TemplateWindow, Variable, VariableKind, Warning, Zone,
};
use chrono::{Datelike, FixedOffset, NaiveDate};

/// Bytes being read.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    /// Whether every byte was read.
    pub(super) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// A list length: never more items than bytes left (every item takes at least one byte), so
    /// a damaged length cannot ask for a huge allocation.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(u64::get(self)?).ok()?;
        (n <= self.bytes.len()).then_some(n)
    }
}

/// Written as bytes.
pub(super) trait Put {
    /// Appends `self`.
    fn put(&self, out: &mut Vec<u8>);
}

/// Read back from bytes.
pub(super) trait Get: Sized {
    /// Reads one value, `None` on anything unexpected.
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Put for $t {
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Get for $t {
            fn get(r: &mut Reader<'_>) -> Option<$t> {
                Some(<$t>::from_le_bytes(r.array()?))
            }
        }
    )*};
}
int!(u8, u16, u32, u64, i32);

impl Put for usize {
    fn put(&self, out: &mut Vec<u8>) {
        (*self as u64).put(out);
    }
}

impl Get for usize {
    fn get(r: &mut Reader<'_>) -> Option<usize> {
        usize::try_from(u64::get(r)?).ok()
    }
}

impl Put for bool {
    fn put(&self, out: &mut Vec<u8>) {
        u8::from(*self).put(out);
    }
}

impl Get for bool {
    fn get(r: &mut Reader<'_>) -> Option<bool> {
        match u8::get(r)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Put for char {
    fn put(&self, out: &mut Vec<u8>) {
        u32::from(*self).put(out);
    }
}

impl Get for char {
    fn get(r: &mut Reader<'_>) -> Option<char> {
        char::from_u32(u32::get(r)?)
    }
}

impl Put for str {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Put for String {
    fn put(&self, out: &mut Vec<u8>) {
        self.as_str().put(out);
    }
}

impl Get for String {
    fn get(r: &mut Reader<'_>) -> Option<String> {
        let n = r.len()?;
        let bytes = r.take(n)?;
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    }
}

impl Put for SharedStr {
    fn put(&self, out: &mut Vec<u8>) {
        self.as_str().put(out);
    }
}

impl Get for SharedStr {
    fn get(r: &mut Reader<'_>) -> Option<SharedStr> {
        String::get(r).map(SharedStr::from)
    }
}

impl<T: Put> Put for SharedSlice<T> {
    /// As a `Vec<T>`: the same bytes.
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        for v in self {
            v.put(out);
        }
    }
}

impl<T: Get> Get for SharedSlice<T> {
    fn get(r: &mut Reader<'_>) -> Option<SharedSlice<T>> {
        Vec::get(r).map(SharedSlice::from)
    }
}

impl<T: Put> Put for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
}

impl<T: Get> Get for Option<T> {
    fn get(r: &mut Reader<'_>) -> Option<Option<T>> {
        match u8::get(r)? {
            0 => Some(None),
            1 => Some(Some(T::get(r)?)),
            _ => None,
        }
    }
}

impl<T: Put> Put for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        for v in self {
            v.put(out);
        }
    }
}

impl<T: Get> Get for Vec<T> {
    fn get(r: &mut Reader<'_>) -> Option<Vec<T>> {
        let n = r.len()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Some(v)
    }
}

impl Put for NaiveDate {
    fn put(&self, out: &mut Vec<u8>) {
        self.num_days_from_ce().put(out);
    }
}

impl Get for NaiveDate {
    fn get(r: &mut Reader<'_>) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(i32::get(r)?)
    }
}

impl Put for FixedOffset {
    fn put(&self, out: &mut Vec<u8>) {
        self.local_minus_utc().put(out);
    }
}

impl Get for FixedOffset {
    fn get(r: &mut Reader<'_>) -> Option<FixedOffset> {
        FixedOffset::east_opt(i32::get(r)?)
    }
}

impl Put for Zone {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Zone::Fixed(o) => {
                out.push(0);
                o.put(out);
            }
            Zone::Abbrev { name, offset } => {
                out.push(1);
                name.put(out);
                offset.put(out);
            }
            Zone::Named(tz) => {
                out.push(2);
                tz.name().put(out);
            }
        }
    }
}

impl Get for Zone {
    fn get(r: &mut Reader<'_>) -> Option<Zone> {
        match u8::get(r)? {
            0 => Some(Zone::Fixed(FixedOffset::get(r)?)),
            1 => {
                let name = String::get(r)?;
                let offset = FixedOffset::get(r)?;
                // The abbreviation's `&'static str` comes from runsheet's own table.
                match Zone::parse(&name)? {
                    z @ Zone::Abbrev { name: n, offset: o } if n == name && o == offset => Some(z),
                    _ => None,
                }
            }
            2 => String::get(r)?
                .parse::<chrono_tz::Tz>()
                .ok()
                .map(Zone::Named),
            _ => None,
        }
    }
}

impl Put for ClockTime {
    fn put(&self, out: &mut Vec<u8>) {
        let ClockTime { hour, minute } = self;
        hour.put(out);
        minute.put(out);
    }
}

impl Get for ClockTime {
    fn get(r: &mut Reader<'_>) -> Option<ClockTime> {
        Some(ClockTime {
            hour: u8::get(r)?,
            minute: u8::get(r)?,
        })
    }
}

/// Fieldless enums: one byte, the variant's place in `ALL`.
macro_rules! unit_enum {
    ($t:ty, [$($v:expr),* $(,)?]) => {
        impl Put for $t {
            fn put(&self, out: &mut Vec<u8>) {
                const ALL: &[$t] = &[$($v),*];
                let i = ALL.iter().position(|v| v == self).unwrap_or(0);
                out.push(i as u8);
            }
        }
        impl Get for $t {
            fn get(r: &mut Reader<'_>) -> Option<$t> {
                const ALL: &[$t] = &[$($v),*];
                ALL.get(usize::from(u8::get(r)?)).copied()
            }
        }
    };
}
unit_enum!(
    ItemKind,
    [ItemKind::Task, ItemKind::Signoff, ItemKind::Gate]
);
unit_enum!(Origin, [Origin::List, Origin::Table, Origin::Line]);
unit_enum!(
    Align,
    [Align::None, Align::Left, Align::Center, Align::Right]
);
unit_enum!(
    VariableKind,
    [VariableKind::Mustache, VariableKind::Placeholder]
);

/// A compile-time check that the lists above name every variant: a new variant makes this
/// `match` fail to compile.
#[allow(dead_code)]
fn unit_enums_complete(k: ItemKind, o: Origin, a: Align, v: VariableKind) {
    match k {
        ItemKind::Task | ItemKind::Signoff | ItemKind::Gate => {}
    }
    match o {
        Origin::List | Origin::Table | Origin::Line => {}
    }
    match a {
        Align::None | Align::Left | Align::Center | Align::Right => {}
    }
    match v {
        VariableKind::Mustache | VariableKind::Placeholder => {}
    }
}

impl Put for ItemId {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
    }
}

impl Get for ItemId {
    fn get(r: &mut Reader<'_>) -> Option<ItemId> {
        String::get(r).map(ItemId::from)
    }
}

impl Put for PlannedAt {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            PlannedAt::Clock { hour, minute } => {
                out.push(0);
                hour.put(out);
                minute.put(out);
            }
            PlannedAt::Offset { minutes } => {
                out.push(1);
                minutes.put(out);
            }
        }
    }
}

impl Get for PlannedAt {
    fn get(r: &mut Reader<'_>) -> Option<PlannedAt> {
        match u8::get(r)? {
            0 => Some(PlannedAt::Clock {
                hour: u8::get(r)?,
                minute: u8::get(r)?,
            }),
            1 => Some(PlannedAt::Offset {
                minutes: i32::get(r)?,
            }),
            _ => None,
        }
    }
}

impl Put for PlannedEnd {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            PlannedEnd::Clock { hour, minute, zone } => {
                out.push(0);
                hour.put(out);
                minute.put(out);
                zone.put(out);
            }
            PlannedEnd::Duration { minutes } => {
                out.push(1);
                minutes.put(out);
            }
        }
    }
}

impl Get for PlannedEnd {
    fn get(r: &mut Reader<'_>) -> Option<PlannedEnd> {
        match u8::get(r)? {
            0 => Some(PlannedEnd::Clock {
                hour: u8::get(r)?,
                minute: u8::get(r)?,
                zone: Option::get(r)?,
            }),
            1 => Some(PlannedEnd::Duration {
                minutes: u32::get(r)?,
            }),
            _ => None,
        }
    }
}

impl Put for PlannedTime {
    fn put(&self, out: &mut Vec<u8>) {
        let PlannedTime {
            at,
            date,
            day,
            zone,
            end,
        } = self;
        at.put(out);
        date.put(out);
        day.put(out);
        zone.put(out);
        end.put(out);
    }
}

impl Get for PlannedTime {
    fn get(r: &mut Reader<'_>) -> Option<PlannedTime> {
        Some(PlannedTime {
            at: Get::get(r)?,
            date: Get::get(r)?,
            day: Get::get(r)?,
            zone: Get::get(r)?,
            end: Get::get(r)?,
        })
    }
}

impl Put for SpanStyle {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            SpanStyle::Plain => out.push(0),
            SpanStyle::Code => out.push(1),
            SpanStyle::Strong => out.push(2),
            SpanStyle::Emphasis => out.push(3),
            SpanStyle::Strike => out.push(4),
            SpanStyle::Link { url } => {
                out.push(5);
                url.put(out);
            }
            SpanStyle::Break => out.push(6),
            SpanStyle::Placeholder { var } => {
                out.push(7);
                var.put(out);
            }
        }
    }
}

impl Get for SpanStyle {
    fn get(r: &mut Reader<'_>) -> Option<SpanStyle> {
        Some(match u8::get(r)? {
            0 => SpanStyle::Plain,
            1 => SpanStyle::Code,
            2 => SpanStyle::Strong,
            3 => SpanStyle::Emphasis,
            4 => SpanStyle::Strike,
            5 => SpanStyle::Link {
                url: String::get(r)?,
            },
            6 => SpanStyle::Break,
            7 => SpanStyle::Placeholder {
                var: String::get(r)?,
            },
            _ => return None,
        })
    }
}

impl Put for Span {
    fn put(&self, out: &mut Vec<u8>) {
        let Span { text, style } = self;
        text.put(out);
        style.put(out);
    }
}

impl Get for Span {
    fn get(r: &mut Reader<'_>) -> Option<Span> {
        Some(Span {
            text: Get::get(r)?,
            style: Get::get(r)?,
        })
    }
}

impl Put for StyleRun {
    fn put(&self, out: &mut Vec<u8>) {
        let StyleRun { start, end, style } = self;
        start.put(out);
        end.put(out);
        style.put(out);
    }
}

impl Get for StyleRun {
    fn get(r: &mut Reader<'_>) -> Option<StyleRun> {
        Some(StyleRun {
            start: Get::get(r)?,
            end: Get::get(r)?,
            style: Get::get(r)?,
        })
    }
}

impl Put for Cell {
    fn put(&self, out: &mut Vec<u8>) {
        let Cell { text, styles } = self;
        text.put(out);
        styles.put(out);
    }
}

impl Get for Cell {
    fn get(r: &mut Reader<'_>) -> Option<Cell> {
        Some(Cell {
            text: Get::get(r)?,
            styles: Get::get(r)?,
        })
    }
}

impl Put for CodeBlock {
    fn put(&self, out: &mut Vec<u8>) {
        let CodeBlock {
            lang,
            text,
            line,
            flags,
        } = self;
        lang.put(out);
        text.put(out);
        line.put(out);
        flags.put(out);
    }
}

impl Get for CodeBlock {
    fn get(r: &mut Reader<'_>) -> Option<CodeBlock> {
        Some(CodeBlock {
            lang: Get::get(r)?,
            text: Get::get(r)?,
            line: Get::get(r)?,
            flags: Get::get(r)?,
        })
    }
}

impl Put for Block {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Block::Paragraph { spans, line } => {
                out.push(0);
                spans.put(out);
                line.put(out);
            }
            Block::Bullet { spans, depth, line } => {
                out.push(1);
                spans.put(out);
                depth.put(out);
                line.put(out);
            }
            Block::Code(c) => {
                out.push(2);
                c.put(out);
            }
            Block::Table {
                header,
                rows,
                align,
                line,
            } => {
                out.push(3);
                header.put(out);
                rows.put(out);
                align.put(out);
                line.put(out);
            }
        }
    }
}

impl Get for Block {
    fn get(r: &mut Reader<'_>) -> Option<Block> {
        Some(match u8::get(r)? {
            0 => Block::Paragraph {
                spans: Get::get(r)?,
                line: Get::get(r)?,
            },
            1 => Block::Bullet {
                spans: Get::get(r)?,
                depth: Get::get(r)?,
                line: Get::get(r)?,
            },
            2 => Block::Code(Get::get(r)?),
            3 => Block::Table {
                header: Get::get(r)?,
                rows: Get::get(r)?,
                align: Get::get(r)?,
                line: Get::get(r)?,
            },
            _ => return None,
        })
    }
}

impl Put for Field {
    fn put(&self, out: &mut Vec<u8>) {
        let Field { name, value } = self;
        name.put(out);
        value.put(out);
    }
}

impl Get for Field {
    fn get(r: &mut Reader<'_>) -> Option<Field> {
        Some(Field {
            name: Get::get(r)?,
            value: Get::get(r)?,
        })
    }
}

impl Put for Item {
    fn put(&self, out: &mut Vec<u8>) {
        let Item {
            id,
            text,
            styles,
            line,
            kind,
            origin,
            checked,
            marker,
            role,
            section,
            parent,
            depth,
            group,
            quoted,
            gfm_task,
            body,
            fields,
            fillable,
        } = self;
        id.put(out);
        text.put(out);
        styles.put(out);
        line.put(out);
        kind.put(out);
        origin.put(out);
        checked.put(out);
        marker.put(out);
        role.put(out);
        section.put(out);
        parent.put(out);
        depth.put(out);
        group.put(out);
        quoted.put(out);
        gfm_task.put(out);
        body.put(out);
        fields.put(out);
        fillable.put(out);
    }
}

impl Get for Item {
    fn get(r: &mut Reader<'_>) -> Option<Item> {
        Some(Item {
            id: Get::get(r)?,
            text: Get::get(r)?,
            styles: Get::get(r)?,
            line: Get::get(r)?,
            kind: Get::get(r)?,
            origin: Get::get(r)?,
            checked: Get::get(r)?,
            marker: Get::get(r)?,
            role: Get::get(r)?,
            section: Get::get(r)?,
            parent: Get::get(r)?,
            depth: Get::get(r)?,
            group: Get::get(r)?,
            quoted: Get::get(r)?,
            gfm_task: Get::get(r)?,
            body: Get::get(r)?,
            fields: Get::get(r)?,
            fillable: Get::get(r)?,
        })
    }
}

impl Put for Section {
    fn put(&self, out: &mut Vec<u8>) {
        let Section {
            title,
            level,
            line,
            planned_time,
            parent,
            depth,
            body,
        } = self;
        title.put(out);
        level.put(out);
        line.put(out);
        planned_time.put(out);
        parent.put(out);
        depth.put(out);
        body.put(out);
    }
}

impl Get for Section {
    fn get(r: &mut Reader<'_>) -> Option<Section> {
        Some(Section {
            title: Get::get(r)?,
            level: Get::get(r)?,
            line: Get::get(r)?,
            planned_time: Get::get(r)?,
            parent: Get::get(r)?,
            depth: Get::get(r)?,
            body: Get::get(r)?,
        })
    }
}

impl Put for Variable {
    fn put(&self, out: &mut Vec<u8>) {
        let Variable {
            name,
            line,
            kind,
            label,
            placeholder,
        } = self;
        name.put(out);
        line.put(out);
        kind.put(out);
        label.put(out);
        placeholder.put(out);
    }
}

impl Get for Variable {
    fn get(r: &mut Reader<'_>) -> Option<Variable> {
        Some(Variable {
            name: Get::get(r)?,
            line: Get::get(r)?,
            kind: Get::get(r)?,
            label: Get::get(r)?,
            placeholder: Get::get(r)?,
        })
    }
}

impl Put for Warning {
    fn put(&self, out: &mut Vec<u8>) {
        let Warning { line, message } = self;
        line.put(out);
        message.put(out);
    }
}

impl Get for Warning {
    fn get(r: &mut Reader<'_>) -> Option<Warning> {
        Some(Warning {
            line: Get::get(r)?,
            message: Get::get(r)?,
        })
    }
}

impl Put for MetaField {
    fn put(&self, out: &mut Vec<u8>) {
        let MetaField { name, value, line } = self;
        name.put(out);
        value.put(out);
        line.put(out);
    }
}

impl Get for MetaField {
    fn get(r: &mut Reader<'_>) -> Option<MetaField> {
        Some(MetaField {
            name: Get::get(r)?,
            value: Get::get(r)?,
            line: Get::get(r)?,
        })
    }
}

impl Put for TemplateWindow {
    fn put(&self, out: &mut Vec<u8>) {
        let TemplateWindow {
            date,
            time,
            zone,
            end,
            source_line,
            source,
        } = self;
        date.put(out);
        time.put(out);
        zone.put(out);
        end.put(out);
        source_line.put(out);
        source.put(out);
    }
}

impl Get for TemplateWindow {
    fn get(r: &mut Reader<'_>) -> Option<TemplateWindow> {
        Some(TemplateWindow {
            date: Get::get(r)?,
            time: Get::get(r)?,
            zone: Get::get(r)?,
            end: Get::get(r)?,
            source_line: Get::get(r)?,
            source: Get::get(r)?,
        })
    }
}

impl Put for Template {
    fn put(&self, out: &mut Vec<u8>) {
        let Template {
            title,
            metadata,
            window,
            sections,
            items,
            variables,
            warnings,
            repairs,
        } = self;
        title.put(out);
        metadata.put(out);
        window.put(out);
        sections.put(out);
        items.put(out);
        variables.put(out);
        warnings.put(out);
        repairs.put(out);
    }
}

impl Get for Template {
    fn get(r: &mut Reader<'_>) -> Option<Template> {
        Some(Template {
            title: Get::get(r)?,
            metadata: Get::get(r)?,
            window: Get::get(r)?,
            sections: Get::get(r)?,
            items: Get::get(r)?,
            variables: Get::get(r)?,
            warnings: Get::get(r)?,
            repairs: Get::get(r)?,
        })
    }
}
