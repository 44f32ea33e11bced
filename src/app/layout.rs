//! Screen geometry shared by the renderer and the mouse handler, in plain numbers.

/// A rectangle of cells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Area {
    /// Left column.
    pub x: u16,
    /// Top row.
    pub y: u16,
    /// Width.
    pub w: u16,
    /// Height.
    pub h: u16,
}

impl Area {
    /// Whether the cell is inside.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        x >= self.x && y >= self.y && x - self.x < self.w && y - self.y < self.h
    }
}

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 40;
/// Smallest usable terminal.
pub const MIN_HEIGHT: u16 = 10;
/// From this width the detail pane sits beside the checklist.
pub const WIDE: u16 = 110;
/// Header rows.
pub const HEADER: u16 = 3;
/// Footer rows (message line + keys line).
pub const FOOTER: u16 = 2;

/// Where each pane goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    /// Below the minimum: only a message is shown.
    pub too_small: bool,
    /// Title, clock, progress.
    pub header: Area,
    /// The checklist.
    pub list: Area,
    /// The selected item (includes a one-row title bar).
    pub detail: Area,
    /// Messages and keys.
    pub footer: Area,
    /// Detail beside the list rather than below it.
    pub wide: bool,
}

/// Lays out a `w`×`h` screen.
pub fn layout(w: u16, h: u16) -> Layout {
    if w < MIN_WIDTH || h < MIN_HEIGHT {
        return Layout {
            too_small: true,
            ..Layout::default()
        };
    }
    let body_h = h - HEADER - FOOTER;
    let header = Area {
        x: 0,
        y: 0,
        w,
        h: HEADER,
    };
    let footer = Area {
        x: 0,
        y: h - FOOTER,
        w,
        h: FOOTER,
    };
    let wide = w >= WIDE;
    let (list, detail) = if wide {
        let lw = w * 3 / 5;
        (
            Area {
                x: 0,
                y: HEADER,
                w: lw,
                h: body_h,
            },
            Area {
                x: lw,
                y: HEADER,
                w: w - lw,
                h: body_h,
            },
        )
    } else {
        let lh = (body_h * 3 / 5).max(3);
        (
            Area {
                x: 0,
                y: HEADER,
                w,
                h: lh,
            },
            Area {
                x: 0,
                y: HEADER + lh,
                w,
                h: body_h - lh,
            },
        )
    };
    Layout {
        too_small: false,
        header,
        list,
        detail,
        footer,
        wide,
    }
}
