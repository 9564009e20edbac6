//! The header: the workflow, run id, status and clock; the agents by state against the caps;
//! tokens and cost against the budget.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::format::{cost, duration, tokens};
use crate::monitor::Monitor;
use crate::rows::Filter;

pub(super) fn draw(monitor: &Monitor, frame: &mut Frame, area: Rect, now_ms: i64) {
    super::lines(
        frame,
        area,
        [title(monitor, now_ms), agents(monitor), usage(monitor)],
    );
}

fn title(monitor: &Monitor, now_ms: i64) -> Line<'static> {
    let (board, theme) = (&monitor.board, &monitor.theme);
    let mut spans = vec![Span::styled(" baton ", theme.title())];
    if board.workflow().is_empty() {
        spans.push(Span::styled("starting…", theme.dim()));
    } else {
        spans.push(Span::styled(board.workflow().to_string(), theme.bold()));
    }
    if let Some(run_id) = board.run_id() {
        spans.push(Span::styled(format!("  {run_id}"), theme.dim()));
    }
    let status = board.status();
    spans.push(Span::raw("  "));
    spans.push(Span::styled(
        format!(" {} ", status.as_str()),
        theme.run(status),
    ));
    if let Some(ms) = board.elapsed(now_ms) {
        spans.push(Span::raw(format!(" {}", duration(ms))));
    }
    if monitor.filter != Filter::All {
        spans.push(Span::styled(
            format!("  filter: {}", monitor.filter.as_str()),
            theme.key(),
        ));
    }
    Line::from(spans)
}

fn agents(monitor: &Monitor) -> Line<'static> {
    let (board, theme) = (&monitor.board, &monitor.theme);
    let caps = &monitor.options.caps;
    let counts = board.counts();
    let mut spans = vec![Span::styled(" agents ", theme.dim())];
    let mut item = |number: String, word: &str, style| {
        if spans.len() > 1 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(number, style));
        spans.push(Span::raw(format!(" {word}")));
    };
    item(counts.done.to_string(), "done", theme.bold());
    let running = match caps.concurrency {
        Some(cap) => format!("{}/{cap}", counts.running),
        None => counts.running.to_string(),
    };
    item(running, "running", theme.bold());
    item(counts.queued.to_string(), "queued", theme.bold());
    let failed = if counts.failed > 0 {
        theme.agent(crate::AgentStatus::Failed)
    } else {
        theme.bold()
    };
    item(counts.failed.to_string(), "failed", failed);
    item(counts.cached.to_string(), "cached", theme.bold());
    let total = counts.total();
    let calls = match caps.max_agents {
        Some(cap) => format!("{total}/{cap}"),
        None => total.to_string(),
    };
    let share = caps.max_agents.map(|cap| total as f64 / cap.max(1) as f64);
    spans.push(Span::styled("  ", theme.plain()));
    spans.push(Span::styled(calls, theme.gauge(share)));
    spans.push(Span::raw(" calls"));
    Line::from(spans)
}

fn usage(monitor: &Monitor) -> Line<'static> {
    let (board, theme) = (&monitor.board, &monitor.theme);
    let caps = &monitor.options.caps;
    let usage = board.usage();
    let mut spans = vec![
        Span::styled(" tokens ", theme.dim()),
        Span::styled(tokens(usage.total_input()), theme.bold()),
        Span::raw(" in · "),
        Span::styled(tokens(usage.output_tokens), theme.bold()),
        Span::raw(" out"),
    ];
    if let Some(budget) = caps.budget_tokens {
        let spent = board.budget_spent();
        let share = spent as f64 / budget.max(1) as f64;
        spans.push(Span::raw(" · budget "));
        spans.push(Span::styled(
            format!(
                "{}/{} ({:.0}%)",
                tokens(spent),
                tokens(budget),
                share * 100.0
            ),
            theme.gauge(Some(share)),
        ));
    }
    spans.push(Span::raw(" · cost "));
    match caps.max_cost_usd {
        Some(max) => {
            let share = usage.cost_usd / max.max(f64::MIN_POSITIVE);
            spans.push(Span::styled(
                format!("{}/{}", cost(usage.cost_usd), cost(max)),
                theme.gauge(Some(share)),
            ));
        }
        None => spans.push(Span::styled(cost(usage.cost_usd), theme.bold())),
    }
    Line::from(spans)
}
