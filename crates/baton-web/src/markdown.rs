//! HTML to readable Markdown for WebFetch, with `htmd` (html5ever's parser, so real-world
//! markup parses as a browser would). Scripts, styles and page chrome are dropped: they cost
//! the model tokens and say nothing.

/// The page as Markdown; a page that cannot be converted comes back as its text.
pub fn to_markdown(html: &str) -> String {
    let converter = htmd::HtmlToMarkdown::builder()
        .skip_tags(vec![
            "script", "style", "noscript", "head", "nav", "footer", "iframe", "svg", "form",
        ])
        .build();
    match converter.convert(html) {
        Ok(markdown) => markdown.trim().to_string(),
        Err(_) => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_links_and_lists_survive_scripts_do_not() {
        let md = to_markdown(
            "<html><head><title>t</title><script>alert(1)</script></head><body>\
             <h1>Tides</h1><p>The <a href=\"https://x.org/moon\">Moon</a> pulls.</p>\
             <ul><li>one</li><li>two</li></ul></body></html>",
        );
        assert!(md.contains("# Tides"), "{md}");
        assert!(md.contains("[Moon](https://x.org/moon)"), "{md}");
        assert!(
            md.contains("*   one") || md.contains("- one") || md.contains("* one"),
            "{md}"
        );
        assert!(!md.contains("alert"), "{md}");
    }
}
