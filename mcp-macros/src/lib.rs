//! Procedural macros for boltmcp (being written).
use proc_macro::TokenStream;

/// Marks a function as an MCP tool.
#[proc_macro_attribute]
pub fn tool(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
/// Marks a function as an MCP resource.
#[proc_macro_attribute]
pub fn resource(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
/// Marks a function as an MCP prompt.
#[proc_macro_attribute]
pub fn prompt(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
/// Collects the tools, resources and prompts of an impl block.
#[proc_macro_attribute]
pub fn handlers(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
