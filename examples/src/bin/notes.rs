//! A stateful server: an `impl` block whose tools, resources and prompts share one
//! notebook. `#[boltmcp::handlers]` turns the marked methods into definitions bound to
//! one `Arc<Notes>`.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin notes
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use boltmcp::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

/// One note.
#[derive(Debug, Clone, Serialize, JsonSchema)]
struct Note {
    id: u64,
    title: String,
    body: String,
}

/// The notebook every handler shares.
#[derive(Debug, Default)]
struct Notes {
    notes: Mutex<BTreeMap<u64, Note>>,
}

impl Notes {
    fn with_welcome() -> Self {
        let notes = Notes::default();
        notes.insert("welcome".into(), "Hello from boltmcp".into());
        notes
    }

    fn insert(&self, title: String, body: String) -> u64 {
        let mut notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
        let id = notes.keys().next_back().map_or(1, |last| last + 1);
        notes.insert(id, Note { id, title, body });
        id
    }

    fn all_notes(&self) -> Vec<Note> {
        self.notes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}

#[boltmcp::handlers]
impl Notes {
    /// Adds a note and returns its id.
    ///
    /// title: a short title
    /// body: the note's text
    #[tool]
    fn add_note(&self, title: String, body: String) -> u64 {
        self.insert(title, body)
    }

    /// Lists every note.
    #[tool(annotations(read_only))]
    fn list_notes(&self) -> Vec<Note> {
        self.all_notes()
    }

    /// Every note, as JSON.
    #[resource("notes://all", mime_type = "application/json")]
    fn all(&self) -> Json<Vec<Note>> {
        Json(self.all_notes())
    }

    /// The body of one note.
    #[resource("notes://{id}", mime_type = "text/plain")]
    fn note(&self, id: u64) -> Result<String, String> {
        let notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
        notes
            .get(&id)
            .map(|n| n.body.clone())
            .ok_or_else(|| format!("no note {id}"))
    }

    /// Asks the model to summarize the notebook.
    ///
    /// style: how to write the summary, e.g. "bullet points"
    #[prompt]
    fn summarize(&self, style: Option<String>) -> String {
        let notes: Vec<String> = self
            .all_notes()
            .into_iter()
            .map(|n| format!("- {}: {}", n.title, n.body))
            .collect();
        let style = style.unwrap_or_else(|| "one short paragraph".to_owned());
        format!("Summarize these notes as {style}:\n{}", notes.join("\n"))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let server = Server::builder("notes", env!("CARGO_PKG_VERSION"))
        .instructions("A small notebook: add notes with add_note, read them as notes:// resources.")
        .handlers(Arc::new(Notes::with_welcome()))
        .build();
    boltmcp::transport::serve_stdio(server).await
}
