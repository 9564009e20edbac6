//! A tool as it is offered to a model: name, description and the JSON Schema of its input, or
//! a tool the provider itself runs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
    /// A tool the provider runs on its side (Anthropic's web search): this definition goes to
    /// the provider as it is, and the model's uses of it come back as content the provider
    /// already answered, never as calls for baton to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted: Option<Value>,
}
