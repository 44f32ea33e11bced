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
    /// The output pane of a command run from the screen, docked below the list and the detail
    /// (zero rows when none is shown).
    pub output: Area,
}

/// Rows of the docked output pane (its title row included) for a body of `body_h` rows: a third
/// of it, 4 to 14 rows; none when the list and the detail would be left fewer than 6 rows.
pub fn output_rows(body_h: u16) -> u16 {
    let rows = (body_h / 3).clamp(4, 14);
    if body_h.saturating_sub(rows) < 6 {
        0
    } else {
        rows
    }
}

/// A `w`×`h` area centred in a `sw`×`sh` screen (clamped to it).
pub fn centered(sw: u16, sh: u16, w: u16, h: u16) -> Area {
    let w = w.min(sw);
    let h = h.min(sh);
    Area {
        x: (sw - w) / 2,
        y: (sh - h) / 2,
        w,
        h,
    }
}

/// Where the help overlay and the message log go (border included).
pub fn overlay(w: u16, h: u16) -> Area {
    centered(w, h, w.saturating_sub(4).min(100), h.saturating_sub(2))
}

/// Where the zoomed item goes: everything above the footer (border included).
pub fn zoom(w: u16, h: u16) -> Area {
    Area {
        x: 0,
        y: 0,
        w,
        h: h.saturating_sub(FOOTER),
    }
}

/// The inside of a bordered area.
pub fn inner(a: Area) -> Area {
    Area {
        x: a.x.saturating_add(1),
        y: a.y.saturating_add(1),
        w: a.w.saturating_sub(2),
        h: a.h.saturating_sub(2),
    }
}

/// Lays out a `w`×`h` screen with the detail pane at its usual width.
pub fn layout(w: u16, h: u16) -> Layout {
    layout_for(w, h, 0)
}

/// Lays out a `w`×`h` screen; beside the list, the detail pane widens from two fifths of the
/// screen up to a little over half when its content wants `detail_want` columns (long commands).
pub fn layout_for(w: u16, h: u16, detail_want: u16) -> Layout {
    layout_with(w, h, detail_want, false)
}

/// [`layout_for`], with the docked output pane when `pane` (and the screen has room for it).
pub fn layout_with(w: u16, h: u16, detail_want: u16, pane: bool) -> Layout {
    if w < MIN_WIDTH || h < MIN_HEIGHT {
        return Layout {
            too_small: true,
            ..Layout::default()
        };
    }
    let full_body = h - HEADER - FOOTER;
    let pane_h = if pane { output_rows(full_body) } else { 0 };
    let body_h = full_body - pane_h;
    let output = Area {
        x: 0,
        y: HEADER + body_h,
        w: if pane_h > 0 { w } else { 0 },
        h: pane_h,
    };
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
        let base = w - w * 3 / 5;
        let most = w * 11 / 20;
        let dw = detail_want.clamp(base, most.max(base));
        let lw = w - dw;
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
        output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detail_pane_widens_for_long_code_within_bounds() {
        let usual = layout(160, 48);
        assert_eq!((usual.list.w, usual.detail.w), (96, 64));
        let long = layout_for(160, 48, 80);
        assert_eq!((long.list.w, long.detail.w), (80, 80));
        let huge = layout_for(160, 48, 500);
        assert_eq!(huge.detail.w, 88, "never past 55%");
        assert_eq!(
            layout_for(160, 48, 10).detail.w,
            64,
            "never below the usual"
        );
        assert_eq!(huge.list.w + huge.detail.w, 160);
    }

    #[test]
    fn the_output_pane_takes_rows_from_the_body_and_never_squeezes_it_away() {
        let without = layout(120, 40);
        let with = layout_with(120, 40, 0, true);
        assert_eq!(with.output.h, 11);
        assert_eq!(with.list.h + with.output.h, without.list.h);
        assert_eq!(with.output.y + with.output.h, with.footer.y);
        assert_eq!(with.output.w, 120);
        // Too short for a pane: the list and the detail keep the rows.
        let small = layout_with(80, 12, 0, true);
        assert_eq!(small.output.h, 0);
        assert_eq!(small.list, layout(80, 12).list);
    }
}
