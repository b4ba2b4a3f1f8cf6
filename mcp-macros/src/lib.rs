//! Procedural macros for boltmcp: `#[tool]`, `#[resource]`, `#[prompt]` and
//! `#[handlers]`. Each turns plain Rust functions into the runtime's one handler form.
//!
//! Use them through the `boltmcp` crate (`boltmcp::tool`, `boltmcp::prelude::*`); the
//! generated code names `::boltmcp` paths.

mod attr;
mod check;
mod ctxt;
mod docs;
mod func;
mod handlers;
mod output;
mod params;
mod parse;
mod prompt;
mod resource;
mod symbol;
mod tool;

use proc_macro::TokenStream;
use quote::{ToTokens, quote};
use syn::{Item, ItemFn, parse_macro_input};

/// Makes a function an MCP tool and generates `NAME_tool() -> boltmcp::server::ToolDef`.
///
/// The doc comment is the description; lines such as `a: the first number` (or an
/// `# Arguments` section) describe the parameters. Parameters of type `Context`,
/// `&Context`, `Extension<T>` or `Option<Extension<T>>` are filled from the request;
/// the others are the arguments, and need `Deserialize + JsonSchema`. `Option<T>` is
/// optional; `#[arg(default = EXPR)]`, `#[arg(description = "..")]` and
/// `#[arg(rename = "..")]` refine an argument.
///
/// A `String`, `&'static str`, `()`, content, `Json<T>` or `CallToolResult` is sent as
/// is; any other `Serialize + JsonSchema` type is structured output with an
/// `outputSchema`. A `Result`'s `Err` becomes an `isError` result carrying its message.
///
/// Options: `name = ".."`, `title = ".."`, `description = ".."`, `scopes = [".."]`,
/// `annotations(read_only, destructive, idempotent, open_world, title = "..")`,
/// `icons = ["https://.."]`, `sandbox`.
///
/// ```ignore
/// /// Adds two numbers.
/// ///
/// /// a: The first number.
/// #[tool(annotations(read_only))]
/// async fn add(a: f64, b: f64) -> f64 {
///     a + b
/// }
/// ```
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as Item);
    on_fn(item, "#[tool]", |f| tool::expand(attr.into(), f))
}

/// Makes a function an MCP resource and generates `NAME_resource()`.
///
/// `#[resource("config://app")]` gives a `ResourceDef`; a URI with variables,
/// `#[resource("users://{id}")]`, gives a `ResourceTemplateDef` and each variable is
/// passed to the parameter of the same name (`String`, or parsed with `FromStr`).
/// Options after the URI: `name`, `title`, `description`, `mime_type`, `scopes`, `icons`.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as Item);
    on_fn(item, "#[resource]", |f| resource::expand(attr.into(), f))
}

/// Makes a function an MCP prompt and generates `NAME_prompt() -> PromptDef`.
///
/// `String` parameters are required arguments, `Option<String>` optional ones; doc
/// lines describe them as for tools. Options: `name`, `title`, `description`,
/// `scopes`, `icons`.
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as Item);
    on_fn(item, "#[prompt]", |f| prompt::expand(attr.into(), f))
}

/// Collects the `#[tool]`, `#[resource]` and `#[prompt]` methods (taking `&self`) of an
/// inherent impl block into an `impl boltmcp::server::Handlers`, registered with
/// `ServerBuilder::handlers(Arc::new(value))`.
#[proc_macro_attribute]
pub fn handlers(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as Item);
    let Item::Impl(item) = item else {
        return not_a(
            &item,
            "#[boltmcp::handlers]",
            "an impl block (`impl MyServer { .. }`)",
        );
    };
    handlers::expand(attr.into(), item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Runs `expand` on a function item, or explains that `what` goes on functions.
fn on_fn(
    item: Item,
    what: &str,
    expand: impl FnOnce(ItemFn) -> syn::Result<proc_macro2::TokenStream>,
) -> TokenStream {
    match item {
        Item::Fn(f) => expand(f)
            .unwrap_or_else(syn::Error::into_compile_error)
            .into(),
        Item::Impl(_) => not_a(
            &item,
            what,
            &format!(
                "a function; for methods, put #[boltmcp::handlers] on this impl block and \
                 {what} on each method"
            ),
        ),
        _ => not_a(&item, what, "a function (`fn name(..) { .. }`)"),
    }
}

/// The error for `what` placed on the wrong kind of item, plus the item unchanged.
fn not_a(item: &Item, what: &str, expected: &str) -> TokenStream {
    let (kind, head) = describe(item);
    let message = format!("{what} goes on {expected}, not on {kind}");
    let err = syn::Error::new_spanned(head, message).into_compile_error();
    quote!(#err #item).into()
}

/// A name for the kind of `item` and the tokens that introduce it (`struct Foo`).
fn describe(item: &Item) -> (&'static str, proc_macro2::TokenStream) {
    match item {
        Item::Struct(i) => ("a struct", head(&i.struct_token, &i.ident)),
        Item::Enum(i) => ("an enum", head(&i.enum_token, &i.ident)),
        Item::Union(i) => ("a union", head(&i.union_token, &i.ident)),
        Item::Trait(i) => ("a trait", head(&i.trait_token, &i.ident)),
        Item::Mod(i) => ("a module", head(&i.mod_token, &i.ident)),
        Item::Const(i) => ("a const", head(&i.const_token, &i.ident)),
        Item::Static(i) => ("a static", head(&i.static_token, &i.ident)),
        Item::Type(i) => ("a type alias", head(&i.type_token, &i.ident)),
        Item::Impl(i) => ("an impl block", head(&i.impl_token, &i.self_ty)),
        Item::Fn(i) => ("a function", head(&i.sig.fn_token, &i.sig.ident)),
        Item::Use(i) => ("a use declaration", i.to_token_stream()),
        Item::Verbatim(v) if v.to_string().contains("fn") => {
            ("a function without a body", v.clone())
        }
        other => ("this item", other.to_token_stream()),
    }
}

fn head(keyword: &dyn ToTokens, name: &dyn ToTokens) -> proc_macro2::TokenStream {
    let mut tokens = keyword.to_token_stream();
    name.to_tokens(&mut tokens);
    tokens
}
