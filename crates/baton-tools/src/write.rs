//! The Write tool: creates or overwrites a file with the given content, creating its parent
//! directories.

use serde_json::Value;

use crate::input::Input;
use crate::{paths, ToolContext, ToolResult};

pub(crate) async fn run(input: &Value, ctx: &ToolContext) -> ToolResult {
    let input = Input::new("Write", input)?;
    let raw = input.string("file_path")?;
    let content = input.string("content")?;
    let path = paths::resolve_write(ctx, "file_path", raw)?;
    let shown = paths::display(&ctx.cwd, &path);

    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        return Err(format!(
            "{shown} is a directory; give the path of a file inside it."
        ));
    }
    let existed = tokio::fs::metadata(&path).await.is_ok();
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| paths::io_error(ctx, &paths::display(&ctx.cwd, parent), &e))?;
    }
    tokio::fs::write(&path, content)
        .await
        .map_err(|e| paths::io_error(ctx, &shown, &e))?;
    Ok(format!(
        "{} {shown}: {} bytes, {} lines.",
        if existed { "Overwrote" } else { "Created" },
        content.len(),
        content.lines().count()
    ))
}
