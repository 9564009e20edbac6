use baton_testkit::*;
use serde_json::json;
use std::time::Instant;
fn cpu() -> f64 { let s = std::fs::read_to_string("/proc/self/stat").unwrap(); let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect(); (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0 }
fn thread_cpu(prefix: &str) -> f64 {
    let mut t = 0.0;
    for e in std::fs::read_dir("/proc/self/task").unwrap() { let p = e.unwrap().path(); let comm = std::fs::read_to_string(p.join("comm")).unwrap();
        if comm.starts_with(prefix) { let s = std::fs::read_to_string(p.join("stat")).unwrap(); let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect(); t += (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0; } }
    t
}
#[tokio::test(flavor = "multi_thread")]
async fn bench() {
    let mock = MockLlm::start(MockConfig::default());
    let c = reqwest::Client::new();
    let tools = json!([{"name":"StructuredOutput","description":"x","input_schema":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"array","items":{"type":"integer"}}},"required":["a","b"]}}]);
    for (name, stream, t) in [("text", false, false), ("stream", true, false), ("structured", false, true), ("structured-stream", true, true)] {
        let n = 2000;
        let c0 = cpu(); let s0 = thread_cpu("mock-llm");
        let start = Instant::now();
        for i in 0..n {
            let mut body = json!({"model":"m","stream":stream,"system":"You are helpful. ".repeat(20),"messages":[{"role":"user","content":format!("question number {i} about things")}]});
            if t { body["tools"] = tools.clone(); }
            let r = c.post(format!("{}/v1/messages", mock.base_url())).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
        }
        let el = start.elapsed();
        eprintln!("{name}: {:?}/req wall, total cpu {:.1}us/req, server threads cpu {:.1}us/req", el / n, (cpu()-c0)*1e6/n as f64, (thread_cpu("mock-llm")-s0)*1e6/n as f64);
    }
}
