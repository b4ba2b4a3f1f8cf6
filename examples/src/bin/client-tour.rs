//! Tours any MCP server with `boltmcp::client`: lists and calls every tool (with
//! arguments made from its schema), reads every resource, gets every prompt, and
//! prints what happened as one JSON document.
//!
//! ```text
//! client-tour [--era auto|legacy|modern] --http http://127.0.0.1:3001/mcp
//! client-tour --http https://mcp.internal:8443/mcp --ca-cert private-ca.pem
//! client-tour [--era auto|legacy|modern] -- node server.js stdio
//! ```
//!
//! `--ca-cert PATH` trusts the CA certificates in that PEM file besides the public
//! roots (a server whose certificate a private CA signed).

use boltmcp::client::{Client, ClientError, EraChoice};
use boltmcp::protocol::{CreateMessageResult, ElicitResult, ErrorObject, ListRootsResult};
use boltmcp::transport::tls::ClientTls;
use serde_json::{Value, json};

fn outcome<T>(result: &Result<T, ClientError>, is_error: impl Fn(&T) -> bool) -> Value {
    match result {
        Ok(value) if is_error(value) => json!({ "ok": true, "isError": true }),
        Ok(_) => json!({ "ok": true }),
        Err(err) => json!({ "ok": false, "error": err.to_string() }),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(err) = tour().await {
        eprintln!("client-tour: {err}");
        std::process::exit(1);
    }
}

async fn tour() -> Result<(), ClientError> {
    boltmcp_examples::init_logging();
    let mut args = std::env::args().skip(1);
    let (mut era, mut url, mut command) = (EraChoice::Auto, None, Vec::new());
    let mut ca_cert = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--era" => {
                era = match args.next().as_deref() {
                    Some("legacy") => EraChoice::Legacy,
                    Some("modern") => EraChoice::Modern,
                    _ => EraChoice::Auto,
                }
            }
            "--http" => url = args.next(),
            "--ca-cert" => ca_cert = args.next(),
            "--" => command = args.by_ref().collect(),
            _ => {
                eprintln!(
                    "usage: client-tour [--era auto|legacy|modern] (--http URL [--ca-cert PATH] | -- COMMAND ARGS...)"
                );
                std::process::exit(2);
            }
        }
    }
    let mut builder = Client::builder().era(era);
    if let Some(path) = ca_cert {
        let pem = std::fs::read(&path)?;
        let tls = ClientTls::new().add_root_pem(&pem).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{path}: {e}"))
        })?;
        builder = builder.tls(tls);
    }
    let builder = builder
        .on_elicitation(|_| async {
            serde_json::from_value::<ElicitResult>(json!({ "action": "decline" })).map_err(ErrorObject::internal)
        })
        .on_sampling(|_| async {
            serde_json::from_value::<CreateMessageResult>(json!({
                "role": "assistant", "content": { "type": "text", "text": "a sampled answer" }, "model": "tour"
            }))
            .map_err(ErrorObject::internal)
        })
        .on_roots(|_| async {
            serde_json::from_value::<ListRootsResult>(json!({ "roots": [{ "uri": "file:///tmp", "name": "tmp" }] }))
                .map_err(ErrorObject::internal)
        });
    let client = match (url, command.split_first()) {
        (Some(url), _) => builder.connect_http(&url).await?,
        (None, Some((program, rest))) => builder.connect_stdio(program, rest).await?,
        (None, None) => {
            eprintln!("give --http URL or -- COMMAND");
            std::process::exit(2);
        }
    };
    let mut tools = Vec::new();
    for tool in client.list_tools().await? {
        let called = client
            .call_tool(&tool.name, boltmcp_examples::arguments_for(&tool))
            .await;
        let mut entry = outcome(&called, |r| r.is_error == Some(true));
        entry["name"] = json!(tool.name);
        if let Ok(result) = &called {
            let content = serde_json::to_value(&result.content).unwrap_or_default();
            if let Some(text) = content.pointer("/0/text").and_then(Value::as_str) {
                entry["text"] = json!(text.chars().take(200).collect::<String>());
            }
        }
        tools.push(entry);
    }
    let mut resources = Vec::new();
    for resource in client.list_resources().await? {
        let mut entry = outcome(&client.read_resource(&resource.uri).await, |_| false);
        entry["uri"] = json!(resource.uri);
        resources.push(entry);
    }
    let templates = client.list_resource_templates().await?.len();
    let mut prompts = Vec::new();
    for prompt in client.list_prompts().await? {
        // Each argument gets the server's first completion for it, if it offers one.
        let mut arguments = serde_json::Map::new();
        for argument in prompt.arguments.iter().flatten() {
            let reference = json!({ "type": "ref/prompt", "name": prompt.name });
            let suggested = match client.server_capabilities().completions {
                Some(_) => client.complete(reference, &argument.name, "").await.ok(),
                None => None,
            };
            let value = suggested
                .and_then(|c| c.completion.values.into_iter().next())
                .unwrap_or_else(|| "1".to_owned());
            arguments.insert(argument.name.clone(), json!(value));
        }
        let got = client
            .get_prompt(&prompt.name, Value::Object(arguments))
            .await;
        let mut entry = outcome(&got, |_| false);
        entry["name"] = json!(prompt.name);
        prompts.push(entry);
    }
    let report = json!({
        "era": format!("{:?}", client.era()),
        "server": client.server_info().name,
        "tools": tools, "resources": resources, "templates": templates, "prompts": prompts,
    });
    println!("{report}");
    Ok(())
}
