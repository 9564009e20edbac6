//! Where agents run, as configured: each `--executor`/`[temporal]` flag (or its `BATON_*`
//! variable) wins over `executor` and `[temporal]` in the project's, then the user's
//! `.baton/config.toml`. Built with or without the `temporal` feature, so a baton without it
//! still hears `executor = "temporal"` and says how to get one.

use std::path::Path;

use anyhow::Result;

use crate::cli::ExecutorArgs;
use crate::config::ConfigFiles;

pub fn resolve(flags: &ExecutorArgs, cwd: &Path, home: Option<&Path>) -> Result<ExecutorArgs> {
    let files = ConfigFiles::load(cwd, home)?;
    let mut args = flags.clone();
    for (_, config) in files.by_precedence() {
        let file = &config.temporal;
        args.executor = args.executor.take().or_else(|| config.executor.clone());
        args.temporal_address = args
            .temporal_address
            .take()
            .or_else(|| file.address.clone());
        args.namespace = args.namespace.take().or_else(|| file.namespace.clone());
        args.task_queue = args.task_queue.take().or_else(|| file.task_queue.clone());
        args.heartbeat_secs = args.heartbeat_secs.or(file.heartbeat_secs);
        args.git_home = args.git_home.take().or_else(|| file.git_home.clone());
    }
    Ok(args)
}
