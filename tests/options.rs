//! The optimizer options of issue 17 on real input: `--comments eof|external|linked`,
//! `--drop console`, `--pure-funcs`, `--name-cache` (terser's file, read by terser too) and
//! `--target` (an edition or a browserslist query), each checked so that it fails without
//! the option; and the usage errors, which must name what to write instead.
//!
//! Needs `scripts/install-npm.sh` (tfjs, moment, vue, react-dom, lodash, acorn, terser in
//! target/npm) and node.

mod common;
use common::{guardmin, node_modules, root, run, show};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn npm(rel: &str) -> PathBuf {
    let p = root().join("target/npm/node_modules").join(rel);
    assert!(
        p.exists(),
        "{} is missing: run scripts/install-npm.sh first",
        p.display()
    );
    p
}

fn minify(args: &[&str]) -> Output {
    let mut c = guardmin();
    c.arg("minify").args(["--no-cache"]).args(args);
    run(c, "guardmin")
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", show(o));
}

fn usage_error(args: &[&str], want: &[&str]) {
    let o = minify(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for w in want {
        assert!(err.contains(w), "{args:?}: {w:?} not in {err}");
    }
}

/// Runs a CommonJS snippet in node with `ACORN` set; `args` become `process.argv.slice(1)`.
fn node_js(script: &str, args: &[&Path]) -> String {
    let mut c = Command::new("node");
    c.env("ACORN", node_modules(&["acorn"]).join("acorn"))
        .arg("-e")
        .arg(script)
        .args(args);
    let o = run(c, "node");
    assert!(o.status.success(), "node failed:\n{}", show(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The license comments of a file as guardmin's rule reads them (`/*!`, `//!`, `@license`,
/// `@preserve`, `@copyright`, `@cc_on`), found by acorn, in order, each once.
const LICENSES_JS: &str = r#"
const acorn = require(process.env.ACORN);
const src = require('fs').readFileSync(process.argv[1], 'utf8');
const out = [];
acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, onComment(block, text) {
  const l = text.toLowerCase();
  const lic = /@license|@preserve|@copyright|@cc_on/.test(l) || text.startsWith('!');
  const s = block ? `/*${text}*/` : `//${text}`;
  if (lic && !out.includes(s)) out.push(s);
}});
process.stdout.write(out.map((c) => c + '\n').join(''));
"#;

/// Every `console.x(...)` call in a file (acorn's AST, walked by hand).
const CONSOLE_CALLS_JS: &str = r#"
const acorn = require(process.env.ACORN);
const src = require('fs').readFileSync(process.argv[1], 'utf8');
const ast = acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
let n = 0;
const walk = (x) => {
  if (!x || typeof x !== 'object') return;
  if (Array.isArray(x)) return x.forEach(walk);
  if (x.type === 'CallExpression' && x.callee.type === 'MemberExpression' && x.callee.object.type === 'Identifier' && x.callee.object.name === 'console') n++;
  for (const k in x) if (k !== 'type') walk(x[k]);
};
walk(ast);
process.stdout.write(String(n));
"#;

/// The code before its `//# sourceMappingURL=` line (tfjs ships a map, so guardmin writes one).
fn without_map_comment(code: &str) -> String {
    match code.rfind("\n//# sourceMappingURL=") {
        Some(i) => code[..i].to_string(),
        None => code.to_string(),
    }
}

#[test]
fn comments_external_linked_and_eof_on_the_tfjs_backend() {
    let input = npm("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js");
    let expected = node_js(LICENSES_JS, &[&input]);
    assert!(expected.matches("@license").count() >= 1, "{expected}");
    let d = common::tmp("gm-comments");
    let inp = input.to_str().unwrap();

    // external: the license file holds exactly the license comments; the code none, and no
    // reference to the file.
    let out = d.path().join("ext.min.js");
    ok(&minify(&[
        inp,
        "-o",
        out.to_str().unwrap(),
        "--comments",
        "external",
        "-q",
    ]));
    let lic = d.path().join("ext.min.js.LICENSE.txt");
    assert_eq!(std::fs::read_to_string(&lic).unwrap(), expected);
    let code = std::fs::read_to_string(&out).unwrap();
    assert!(
        !code.contains("@license") && !code.contains("LICENSE.txt"),
        "{}",
        &code[..300]
    );
    assert!(code.contains("typeof"), "guards kept");

    // linked: the same file, and the code ends with a banner naming it.
    let out = d.path().join("lnk.min.js");
    ok(&minify(&[
        inp,
        "-o",
        out.to_str().unwrap(),
        "--comments",
        "linked",
        "-q",
    ]));
    assert_eq!(
        std::fs::read_to_string(d.path().join("lnk.min.js.LICENSE.txt")).unwrap(),
        expected
    );
    let code = without_map_comment(&std::fs::read_to_string(&out).unwrap());
    assert!(
        code.trim_end()
            .ends_with("/*! For license information please see lnk.min.js.LICENSE.txt */"),
        "{}",
        &code[code.len().saturating_sub(200)..]
    );
    assert!(!code.contains("@license"));

    // eof: the comments after the code; the default puts them first.
    let out = d.path().join("eof.min.js");
    ok(&minify(&[
        inp,
        "-o",
        out.to_str().unwrap(),
        "--comments",
        "eof",
        "-q",
    ]));
    let code = without_map_comment(&std::fs::read_to_string(&out).unwrap());
    assert!(code.trim_end().ends_with(expected.trim_end()));
    assert!(!code.starts_with("/**"));
    assert!(!d.path().join("eof.min.js.LICENSE.txt").exists());
    let out = d.path().join("default.min.js");
    ok(&minify(&[inp, "-o", out.to_str().unwrap(), "-q"]));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with(&expected));

    // Each output still parses, and the license file goes with --out-dir too.
    let od = d.path().join("dist");
    ok(&minify(&[
        inp,
        "--out-dir",
        od.to_str().unwrap(),
        "--comments",
        "external",
        "-q",
    ]));
    assert!(od.join("tf-backend-wasm.js.LICENSE.txt").is_file());

    // A file without license comments gets no license file.
    let plain = d.path().join("plain.js");
    std::fs::write(&plain, "var a = 1; console.log(a);\n").unwrap();
    let out = d.path().join("plain.min.js");
    ok(&minify(&[
        plain.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--comments",
        "linked",
        "-q",
    ]));
    assert!(!d.path().join("plain.min.js.LICENSE.txt").exists());
    assert!(!std::fs::read_to_string(&out).unwrap().contains("LICENSE"));

    usage_error(
        &[inp, "--comments", "external"],
        &["--comments external", "-o FILE", "--out-dir"],
    );

    // batch (the plugins) answers with the license comments; the plugin writes the file.
    let mut child = guardmin()
        .args(["batch", "--comments", "external", "-j", "1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let code = std::fs::read_to_string(&input).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            "{}",
            serde_json::json!({"id": 1, "name": "tf.js", "code": code})
        )
        .unwrap();
    }
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["licenses"].as_str(), Some(expected.as_str()));
    assert!(!v["code"].as_str().unwrap().contains("@license"));
}

#[test]
fn drop_console_removes_every_console_call_and_nothing_else() {
    let bundles = [
        "moment/moment.js",
        "vue/dist/vue.global.js",
        "react-dom/cjs/react-dom.development.js",
        "lodash/lodash.js",
    ];
    let inputs: Vec<PathBuf> = bundles.iter().map(|b| npm(b)).collect();
    let d = common::tmp("gm-drop");
    let (with, without) = (d.path().join("drop"), d.path().join("keep"));
    for (dir, extra) in [(&with, &["--drop", "console"][..]), (&without, &[][..])] {
        let mut args: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();
        args.extend(["--out-dir", dir.to_str().unwrap(), "-q"]);
        args.extend(extra);
        ok(&minify(&args));
    }
    let mut dropped = 0;
    for i in &inputs {
        let name = i.file_name().unwrap();
        let kept: usize = node_js(CONSOLE_CALLS_JS, &[&without.join(name)])
            .parse()
            .unwrap();
        let left: usize = node_js(CONSOLE_CALLS_JS, &[&with.join(name)])
            .parse()
            .unwrap();
        assert_eq!(left, 0, "{name:?}: {left} console calls left");
        dropped += kept;
    }
    assert!(dropped > 10, "the inputs have console calls: {dropped}");
    // The differential harness sees the same exports and call results.
    let mut c = Command::new("node");
    c.arg(root().join("tests/node/differential.mjs"));
    for i in &inputs {
        c.arg(i).arg(with.join(i.file_name().unwrap()));
    }
    let o = run(c, "node");
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}

#[test]
fn pure_funcs_drop_unused_calls_only() {
    let d = common::tmp("gm-pure");
    let f = d.path().join("a.js");
    std::fs::write(
        &f,
        "function trace(m) { globalThis.traced = (globalThis.traced || 0) + 1; return m; }\n\
         function work(x) { trace('start ' + x); var r = x * 2; trace.call(null, r); return trace(r); }\n\
         module.exports = work;\n",
    )
    .unwrap();
    let run_it = |code: &str| -> String {
        let p = d.path().join("out.js");
        std::fs::write(&p, code).unwrap();
        let script = "const w = require(process.argv[1]); globalThis.traced = 0; const r = w(21); process.stdout.write(r + ' ' + globalThis.traced);";
        node_js(script, &[&p])
    };
    let plain = minify(&[f.to_str().unwrap(), "-q"]);
    ok(&plain);
    let pure = minify(&[f.to_str().unwrap(), "-q", "--pure-funcs", "trace"]);
    ok(&pure);
    let (plain, pure) = (
        String::from_utf8(plain.stdout).unwrap(),
        String::from_utf8(pure.stdout).unwrap(),
    );
    // Without it every call runs; with it the unused `trace(...)` statement goes, the used
    // one stays (so does `trace.call`, which is no call of `trace` by name).
    assert_eq!(run_it(&plain), "42 3");
    assert_eq!(run_it(&pure), "42 2");
    assert!(!pure.contains("start"), "{pure}");
    usage_error(
        &[f.to_str().unwrap(), "--pure-funcs", "trace()"],
        &["--pure-funcs", "dotted path"],
    );
    usage_error(
        &[
            f.to_str().unwrap(),
            "--pure-funcs",
            "trace",
            "--no-compress",
        ],
        &["--no-compress", "remove one"],
    );
}

#[test]
fn drop_errors_say_what_to_write() {
    let d = common::tmp("gm-dropx");
    let f = d.path().join("a.js");
    std::fs::write(&f, "console.log(1);\n").unwrap();
    let f = f.to_str().unwrap();
    usage_error(
        &[f, "--drop", "alert"],
        &["--drop \"alert\"", "--drop console,debugger"],
    );
    usage_error(
        &[f, "--drop", "console", "--no-compress"],
        &["--no-compress"],
    );
    usage_error(&[f, "--ecma", "2017", "--target", "es2015"], &["keep one"]);
    usage_error(
        &[f, "--target", "chrome banana"],
        &["browserslist", "es2015"],
    );
    let o = minify(&[f, "--drop", "console,debugger"]);
    ok(&o);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("console"));
}

/// The names a minified script gives its declarations, found by what each declares: a
/// function by a piece of its body (`*7+1}`: the name after the `function` before it), a
/// variable by its value (`={count:40}`: the name just before it).
fn declared(code: &str, of: &[&str]) -> Vec<String> {
    of.iter()
        .map(|needle| {
            let at = code
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} not in {code}"));
            let before = &code[..at];
            if needle.starts_with('=') {
                let start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .map_or(0, |i| i + 1);
                before[start..].to_string()
            } else {
                let f = before.rfind("function ").expect("a function") + "function ".len();
                before[f..].split('(').next().unwrap().to_string()
            }
        })
        .collect()
}

#[test]
fn name_cache_keeps_top_level_names_across_builds_and_files() {
    let d = common::tmp("gm-names");
    let cache = d.path().join("names.json");
    let lib = |extra: &str| {
        format!(
            "{extra}function sharedHelperFunction(v) {{ return v * 7 + 1; }}\n\
             var sharedCounterValue = {{ count: 40 }};\n\
             function bumpSharedCounter() {{ sharedCounterValue.count += 2; return sharedHelperFunction(sharedCounterValue.count); }}\n"
        )
    };
    let build = |name: &str, text: &str, cached: bool| -> String {
        let f = d.path().join(name);
        std::fs::write(&f, text).unwrap();
        let out = d.path().join(format!("{name}.min.js"));
        let mut args = vec![
            f.to_str().unwrap().to_string(),
            "-o".into(),
            out.to_str().unwrap().into(),
            "--toplevel".into(),
            "-q".into(),
            "--no-compress".into(),
        ];
        if cached {
            args.extend(["--name-cache".into(), cache.to_str().unwrap().into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&minify(&args));
        std::fs::read_to_string(out).unwrap()
    };
    // Markers: each declaration's value survives minification.
    let marks = ["*7+1}", "={count:40}", ".count+=2"];
    let first = build("lib.js", &lib(""), true);
    // A later build with a new function first: without the cache the names move...
    let extra = "function addedLaterFunction(q) { return [q, q]; }\nvar addedLaterValue = addedLaterFunction(1);\n";
    let plain_a = build("plain_a.js", &lib(""), false);
    let plain_b = build("plain_b.js", &lib(extra), false);
    assert_ne!(
        declared(&plain_a, &marks),
        declared(&plain_b, &marks),
        "without --name-cache the names should move: {plain_a}\n{plain_b}"
    );
    // ...with it they stay.
    let second = build("lib2.js", &lib(extra), true);
    assert_eq!(
        declared(&first, &marks),
        declared(&second, &marks),
        "{first}\n{second}"
    );

    // The file is terser's: terser itself gives a script that uses those globals the
    // cached names, and both scripts run together.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    let mangled = json["vars"]["props"]["$sharedHelperFunction"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(declared(&first, &marks[..1])[0], mangled);
    let user = d.path().join("user.js");
    std::fs::write(
        &user,
        "globalThis.result = bumpSharedCounter() + sharedHelperFunction(1);\n",
    )
    .unwrap();
    let user_min = d.path().join("user.min.js");
    let terser = node_modules(&["terser"]).join("terser/bin/terser");
    let o = run(
        {
            let mut c = Command::new("node");
            c.arg(&terser)
                .arg(&user)
                .args(["--toplevel", "--mangle", "--name-cache"])
                .arg(&cache)
                .arg("-o")
                .arg(&user_min);
            c
        },
        "terser",
    );
    assert!(o.status.success(), "{}", show(&o));
    let user_code = std::fs::read_to_string(&user_min).unwrap();
    assert!(user_code.contains(&format!("{mangled}(1)")), "{user_code}");
    // And guardmin reads it back the same way for a script that only uses the globals.
    let user2 = build(
        "user2.js",
        "globalThis.result = bumpSharedCounter() + sharedHelperFunction(1);\n",
        true,
    );
    assert!(user2.contains(&format!("{mangled}(1)")), "{user2}");
    let script = "const vm = require('vm'); const fs = require('fs'); const c = vm.createContext({}); \
                  vm.runInContext(fs.readFileSync(process.argv[1], 'utf8'), c); vm.runInContext(fs.readFileSync(process.argv[2], 'utf8'), c); \
                  process.stdout.write(String(c.result));";
    let want = (42 * 7 + 1) + 8;
    assert_eq!(
        node_js(script, &[&d.path().join("lib.js.min.js"), &user_min]),
        want.to_string()
    );
    assert_eq!(
        node_js(
            script,
            &[
                &d.path().join("lib.js.min.js"),
                &d.path().join("user2.js.min.js")
            ]
        ),
        want.to_string()
    );

    let bad = d.path().join("bad.json");
    std::fs::write(&bad, "{\"vars\": {\"props\": {\"x\": \"a\"}}}").unwrap();
    usage_error(
        &[
            user.to_str().unwrap(),
            "--name-cache",
            bad.to_str().unwrap(),
        ],
        &["not a terser name cache", "delete it"],
    );
}

#[test]
fn target_es2015_output_parses_as_es2015() {
    const PARSE_2015: &str = r#"
const acorn = require(process.env.ACORN);
const src = require('fs').readFileSync(process.argv[1], 'utf8');
try { acorn.parse(src, { ecmaVersion: 2015, sourceType: 'script', allowHashBang: true }); process.stdout.write('ok'); }
catch (e) { process.stdout.write('no: ' + e.message); }
"#;
    let d = common::tmp("gm-target");
    // Real ES2015 input, and a catch binding nothing reads: from ES2019 on swc drops it
    // (`catch{...}`, which ES2015 cannot parse).
    let tfjs = npm("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js");
    let f = d.path().join("catch.js");
    std::fs::write(
        &f,
        "module.exports = function (x) { try { return JSON.parse(x); } catch (error) { return null; } };\n",
    )
    .unwrap();
    let build = |input: &Path, name: &str, target: &[&str]| -> PathBuf {
        let out = d.path().join(name);
        let mut args = vec![input.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"];
        args.extend_from_slice(target);
        ok(&minify(&args));
        out
    };
    for input in [&tfjs, &f] {
        let name = input.file_name().unwrap().to_str().unwrap();
        let out = build(input, &format!("{name}.es2015.js"), &["--target", "es2015"]);
        assert_eq!(node_js(PARSE_2015, &[&out]), "ok", "{name}");
    }
    // A newer target reaches swc: the binding goes, and the output is no longer ES2015.
    for target in ["es2019", "chrome 80"] {
        let out = build(&f, "catch.new.js", &["--target", target]);
        let code = std::fs::read_to_string(&out).unwrap();
        assert!(code.contains("catch{"), "{target}: {code}");
        assert!(
            node_js(PARSE_2015, &[&out]).starts_with("no"),
            "{target}: {code}"
        );
    }
    let out = build(&f, "catch.2015.js", &["--target", "es2015"]);
    assert!(std::fs::read_to_string(&out).unwrap().contains("catch("));
    // A browserslist query resolves to an edition, said on stderr.
    let o = minify(&[f.to_str().unwrap(), "--target", "chrome 60, firefox 60"]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is es2017") && err.contains("chrome 60"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("catch("));
}
