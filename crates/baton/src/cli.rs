//! The command line's shape (SPEC §8), as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "baton",
    version,
    about = "Run JavaScript workflow scripts that orchestrate LLM sub-agents."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a workflow script and print its result as JSON.
    Run(Box<RunArgs>),
    /// Run a run's script again from the top: finished agents return their journaled results
    /// at once; failed, stopped and unfinished ones run again.
    Resume(Box<ResumeArgs>),
    /// List the runs recorded in this workspace's journal, newest first.
    Runs {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One run: status, phases, agents with their tokens and cost, failures with reasons.
    Show {
        /// The run's id (`wf_…`).
        run: String,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print a run's returned value as JSON.
    Result {
        /// The run's id (`wf_…`).
        run: String,
    },
    /// Print a run's log, or one agent's transcript.
    Logs {
        /// The run's id (`wf_…`).
        run: String,
        /// Show the transcript of the agent(s) with this label instead.
        #[arg(long, value_name = "LABEL")]
        agent: Option<String>,
    },
    /// Stop a run that may be owned by another process: the script is interrupted, running
    /// agents are stopped, the run ends `stopped`. With --agent, stop only those agents (the
    /// script gets `null` for them).
    Stop {
        /// The run's id (`wf_…`).
        run: String,
        /// Stop only the running agent(s) with this label, or `#N` for call N.
        #[arg(long, value_name = "LABEL")]
        agent: Option<String>,
    },
    /// Pause a run: no new agent starts until `baton unpause`; running agents finish.
    Pause {
        /// The run's id (`wf_…`).
        run: String,
    },
    /// Let a paused run start agents again.
    Unpause {
        /// The run's id (`wf_…`).
        run: String,
    },
    /// Watch a run live in the monitor, whichever process runs it (the latest running one when
    /// no id is given).
    Watch {
        /// The run's id (`wf_…`).
        run: Option<String>,
    },
    /// Check a workflow script without running it: its meta, or every problem with its position.
    Check {
        /// The `.workflow.js` file, or the name of a saved or built-in workflow.
        file: PathBuf,
        /// One JSON document on stdout: `{file, ok, meta, diagnostics}`.
        #[arg(long)]
        json: bool,
    },
    /// List the saved workflows (project, personal and built-in): name, scope, description,
    /// phases, and the files that cannot run, with the reason.
    Workflows {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Save the script of a run as a named workflow, in the project's `.baton/workflows/`.
    Save(SaveArgs),
    /// Have a model write a workflow for a task: it is checked and dry-run on `sim`, repaired
    /// from the diagnostics (at most 3 times), shown as a plan, and run once you agree.
    New(Box<NewArgs>),
    /// Print the workflow authoring guide: the index, or one topic.
    Guide {
        /// The topic (`baton guide` lists them).
        topic: Option<String>,
    },
    /// Print the settings a run would use here, and where each comes from: a flag, a
    /// `BATON_*` variable, the project's or the user's config file, or the default.
    Config(Box<RunSettings>),
    /// Serve the Model Context Protocol on standard input and output, so an agent host
    /// (Claude Code, Codex, Cursor, opencode, …) can start, await, inspect and stop workflows.
    Mcp,
    /// Run agents for coordinators elsewhere: poll a Temporal task queue and run one agent per
    /// activity, with this machine's model keys, tools and permission rules.
    Worker(Box<WorkerArgs>),
}

/// Where agents run: here, or on `baton worker`s through Temporal (`executor.rs`). A flag (or
/// its variable) wins over `executor` and `[temporal]` in the project's, then the user's
/// `.baton/config.toml`.
#[derive(Debug, Clone, Default, Args)]
pub struct ExecutorArgs {
    /// `local` (this process runs the agents) or `temporal` (workers do).
    #[arg(long, env = "BATON_EXECUTOR", value_name = "local|temporal")]
    pub executor: Option<String>,
    /// The Temporal frontend, `HOST:PORT`.
    #[arg(
        long = "temporal",
        env = "BATON_TEMPORAL_ADDRESS",
        value_name = "HOST:PORT"
    )]
    pub temporal_address: Option<String>,
    /// Temporal namespace (default `default`).
    #[arg(long, env = "BATON_TEMPORAL_NAMESPACE", value_name = "N")]
    pub namespace: Option<String>,
    /// The task queue workers poll (default `baton-agents`).
    #[arg(long, env = "BATON_TEMPORAL_TASK_QUEUE", value_name = "Q")]
    pub task_queue: Option<String>,
    /// Seconds without a heartbeat before a worker's agent is given to another (default 10).
    #[arg(long, env = "BATON_TEMPORAL_HEARTBEAT_SECS", value_name = "SECS")]
    pub heartbeat_secs: Option<f64>,
    /// A git repository the coordinator and every worker reach (a bare repo path or URL):
    /// each agent then works in a worktree at the run's `HEAD`, and its changes come back as
    /// a branch `baton/<run>/<call>` here.
    #[arg(long, env = "BATON_TEMPORAL_GIT_HOME", value_name = "PATH|URL")]
    pub git_home: Option<String>,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Agents this worker runs at once.
    #[arg(long, env = "BATON_WORKER_SLOTS", default_value_t = 4)]
    pub slots: usize,
    /// Names this worker in Temporal and in its log (default: host and pid).
    #[arg(long, env = "BATON_WORKER_IDENTITY")]
    pub identity: Option<String>,
    #[command(flatten)]
    pub settings: RunSettings,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What the workflow should do, e.g. "review each .py file here for bugs, then summarize".
    pub task: String,
    /// Also save it as `.baton/workflows/NAME.workflow.js`, so `baton run NAME` reruns it.
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
    /// Print the script on stdout and run nothing.
    #[arg(long)]
    pub print: bool,
    /// Open the script in `$EDITOR` before the plan is shown.
    #[arg(long)]
    pub edit: bool,
    #[command(flatten)]
    pub settings: RunSettings,
}

#[derive(Debug, Args)]
pub struct SaveArgs {
    /// The run whose script to save (`wf_…`); `baton runs` lists them.
    pub run: String,
    /// The workflow's name: `baton run <name>` runs it (letters, digits, `-`, `_`, `.`).
    #[arg(long)]
    pub name: String,
    /// Save it in `~/.baton/workflows/` instead, for every project.
    #[arg(long)]
    pub personal: bool,
    /// Replace a saved workflow of that name.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The `.workflow.js` file to run, or the name of a saved workflow.
    pub workflow: String,

    #[command(flatten)]
    pub inputs: InputArgs,

    /// Reuse the finished agents of this earlier run (after editing the script): calls whose
    /// content is unchanged return their results at once. Its args are reused unless given.
    #[arg(long, value_name = "RUN")]
    pub resume_from: Option<String>,

    /// Run on the `sim` model and print how many agents each phase would start.
    #[arg(long)]
    pub dry_run: bool,

    /// Progress as NDJSON events on stderr (one JSON object per line, see the README) instead
    /// of the monitor or plain lines.
    #[arg(long)]
    pub json: bool,

    /// Start the run in the background, print its id and return; `baton watch`, `show`,
    /// `result` and `stop` work on it.
    #[arg(long, conflicts_with = "dry_run")]
    pub detach: bool,

    /// The script's args as the detaching process gathered them (`{"args": …}`, or `{}` for
    /// none), instead of the input flags: `--detach` hands them over so standard input is
    /// read once.
    #[arg(long, hide = true, value_name = "FILE")]
    pub resolved_args: Option<PathBuf>,

    /// Reuse this run id (it seeds `Math.random` and the `sim` model).
    #[arg(long, hide = true)]
    pub run_id: Option<String>,

    /// The `baton new` run that wrote this script: the run's log names it.
    #[arg(long, hide = true, value_name = "RUN")]
    pub authored_by: Option<String>,

    #[command(flatten)]
    pub settings: RunSettings,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The run to resume (`wf_…`); `baton runs` lists them.
    pub run: String,

    /// Progress as NDJSON events on stderr instead of the monitor or plain lines.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: RunSettings,
}

/// How a run runs: model, limits, caps, HTTP, permissions. Shared by `run`, `resume` and
/// `config`. Every field is an `Option` (or a list that adds up): a value given here wins
/// over its `BATON_*` variable, the project's and the user's config file, and the built-in
/// default, and `baton config` shows which of them it came from (`settings.rs`).
#[derive(Debug, Clone, Default, Args)]
pub struct RunSettings {
    /// Model for agents that name none: an alias (`haiku`, `sonnet`, `opus`), a model id,
    /// `provider:model`, or `sim` to simulate every agent for free [env: BATON_MODEL].
    #[arg(long)]
    pub model: Option<String>,

    /// Model `baton new` writes workflows with when `--model` is not given (default: the
    /// run's model) [env: BATON_AUTHOR_MODEL].
    #[arg(long, value_name = "MODEL")]
    pub author_model: Option<String>,

    /// Provider for model names that do not say: `anthropic` or `openai` [env: BATON_PROVIDER].
    #[arg(long)]
    pub provider: Option<String>,

    /// Latency of the `sim` model: `50ms`, or a range such as `10ms-200ms` (default 0)
    /// [env: BATON_SIM_LATENCY].
    #[arg(long, value_name = "DURATION")]
    pub sim_latency: Option<String>,

    /// Agents in flight at once, 1–256 (default 16) [env: BATON_MAX_CONCURRENT_AGENTS].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,

    /// Agents per run; past it `agent()` throws WorkflowAgentCapError (default 1000)
    /// [env: BATON_MAX_AGENTS].
    #[arg(long, value_name = "N")]
    pub max_agents: Option<u64>,

    /// Output tokens the run may spend (the script's `budget.total`); once spent, `agent()`
    /// throws BudgetError [env: BATON_BUDGET_TOKENS].
    #[arg(long, value_name = "N")]
    pub budget_tokens: Option<u64>,

    /// Dollars the run may spend (usage × the pricing table); once spent, `agent()` throws
    /// BudgetError [env: BATON_MAX_COST_USD].
    #[arg(long, value_name = "USD", value_parser = positive_number)]
    pub max_cost_usd: Option<f64>,

    /// What becomes of running agents when the token budget or the cost cap is reached:
    /// `finish` (default) or `stop` [env: BATON_AT_CAP].
    #[arg(long, value_name = "WHAT", value_parser = ["finish", "stop"])]
    pub at_cap: Option<String>,

    /// CPU time the script itself may use, running JavaScript, not waiting for agents
    /// (default 30) [env: BATON_SCRIPT_CPU_SECONDS].
    #[arg(long, value_name = "SECONDS", value_parser = positive_number)]
    pub script_cpu_seconds: Option<f64>,

    /// Heap the script may use, in MiB (default 256) [env: BATON_SCRIPT_HEAP_MIB].
    #[arg(long, value_name = "MIB")]
    pub script_heap_mib: Option<usize>,

    /// Turns an agent may take when its call sets no `maxTurns`; then it ends `null`
    /// (default 50) [env: BATON_AGENT_MAX_TURNS].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub agent_max_turns: Option<u32>,

    /// Transport retries of a failed model request (default 8) [env: BATON_HTTP_MAX_RETRIES].
    #[arg(long, value_name = "N")]
    pub http_max_retries: Option<u32>,

    /// First retry delay in ms, doubled on each retry (default 500) [env: BATON_HTTP_BACKOFF_MS].
    #[arg(long, value_name = "MS")]
    pub http_backoff_ms: Option<u64>,

    /// A stream silent for this long is retried (default 60) [env: BATON_HTTP_STALL_TIMEOUT_SECS].
    #[arg(long, value_name = "SECONDS", value_parser = positive_number)]
    pub http_stall_timeout_secs: Option<f64>,

    /// Model requests in flight at once (default 64) [env: BATON_HTTP_MAX_REQUESTS].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub http_max_requests: Option<u64>,

    /// Ask providers for streamed responses: `true` (default) or `false`
    /// [env: BATON_HTTP_STREAM].
    #[arg(long, value_name = "BOOL")]
    pub http_stream: Option<bool>,

    /// A model alias, `NAME=MODEL`, e.g. `fast=openai:gpt-4o-mini` (repeatable; wins over
    /// `[models]` in the config) [env: BATON_MODELS, `;`-separated].
    #[arg(long = "alias", value_name = "NAME=MODEL")]
    pub aliases: Vec<String>,

    /// A price in USD per million tokens, `MODEL=INPUT,OUTPUT[,CACHE_WRITE,CACHE_READ]`
    /// (repeatable; wins over `[pricing]` in the config) [env: BATON_PRICING, `;`-separated].
    #[arg(long = "price", value_name = "MODEL=PRICES")]
    pub prices: Vec<String>,

    /// Allow a tool use without asking, e.g. `--allow 'Bash(cargo test:*)'` (repeatable; adds
    /// to `[permissions] allow` in the config) [env: BATON_ALLOW, `;`-separated].
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,

    /// Deny a tool use, e.g. `--deny 'Bash(git push:*)'` or `--deny Write` (repeatable; deny
    /// rules win over allow rules) [env: BATON_DENY, `;`-separated].
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,

    /// Let agents' file tools use this directory too, besides the workspace (repeatable)
    /// [env: BATON_ADD_DIRS, separated like PATH].
    #[arg(long, value_name = "DIR")]
    pub add_dir: Vec<PathBuf>,

    /// Start without asking: on a terminal, `run` shows the workflow, its caps and an
    /// estimate, and asks before it spends anything.
    #[arg(long, short = 'y')]
    pub yes: bool,

    #[command(flatten)]
    pub executor: ExecutorArgs,
}

/// A finite number above zero (dollars, seconds).
fn positive_number(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err(format!("'{text}' is not a number above zero")),
    }
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// The script's `args`, as JSON (text that is not JSON arrives as a string); `-` reads JSON
    /// from standard input. Without `--args` or `--args-file`, JSON piped to standard input is
    /// read (an empty pipe means no args).
    #[arg(long, value_name = "JSON", conflicts_with = "args_file")]
    pub args: Option<String>,

    /// Read the script's `args` from a JSON file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub args_file: Option<PathBuf>,

    /// One key of `args`: `--arg key=value`, repeatable; values are parsed as JSON when they parse.
    #[arg(long = "arg", value_name = "KEY=VALUE")]
    pub arg: Vec<String>,

    /// Records for the script as `args.rows`: a `.csv` file (header row; values stay strings)
    /// or a `.jsonl` / `.ndjson` file (one JSON object per line).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
}
