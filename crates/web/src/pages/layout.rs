//! The one page frame: header with brand, navigation, language switch and sign-out; footer.

use maud::{html, Markup, DOCTYPE};
use shanzhi_domain::org::Role;

use crate::auth::Session;
use crate::i18n::Lang;

/// What the frame needs to know about the request.
pub struct Shell<'a> {
    pub lang: Lang,
    pub session: Option<&'a Session>,
    /// Path and query of this page, for the language switch's way back and the current nav item.
    pub path: &'a str,
    /// The page on this site the person came from (the referrer), for an error page's way back.
    pub back: Option<&'a str>,
}

pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn nav_items(shell: &Shell) -> Vec<(&'static str, &'static str)> {
    let lang = shell.lang;
    let mut items = Vec::new();
    match shell.session {
        Some(s) => {
            items.push(("/", lang.t("工作台", "Work queue")));
            items.push(("/projects", lang.t("项目", "Projects")));
            items.push(("/procurements", lang.t("采购", "Procurements")));
            if s.actor.has(Role::Purchaser) {
                items.push(("/projects/new", lang.t("新建项目", "New project")));
            }
            let a = &s.actor;
            if a.org_kind.is_purchasing_department() || a.has(Role::Admin) || a.has(Role::Supervisor) {
                items.push(("/budgets", lang.t("预算", "Budgets")));
            }
            if shanzhi_app::statistics::may_see(a) {
                items.push(("/dashboard", lang.t("统计", "Statistics")));
            }
            // The district's bureau follows the applications; a city's or province's decides them.
            if a.is_finance_reviewer() || a.is_upper_finance_reviewer() {
                items.push(("/method-approvals", lang.t("方式审批", "Method approvals")));
            }
            if shanzhi_app::feedback::may_read(a) {
                items.push(("/feedback", lang.t("公众意见", "Feedback")));
            }
            if super::procurements::nav_overdue(a) {
                items.push(("/overdue", lang.t("逾期", "Overdue")));
            }
            if shanzhi_app::red_flags::may_see(a) {
                items.push(("/red-flags", lang.t("风险提示", "Red flags")));
            }
            items.push(("/posts", lang.t("社工岗位", "Posts")));
            items.push(("/catalogue", lang.t("目录", "Catalogue")));
            if shanzhi_domain::visibility::may_list_organisations(a) {
                items.push(("/organisations", lang.t("单位", "Organisations")));
            }
            if s.actor.has(Role::Admin) {
                items.push(("/admin/users", lang.t("用户", "Users")));
            }
            if shanzhi_app::pool::may_verify(a) {
                items.push(("/registrations", lang.t("注册核验", "Registrations")));
            }
            if shanzhi_app::pool::keeps_pool(a) {
                items.push(("/experts", lang.t("专家库", "Experts")));
            } else if a.has(Role::Expert) {
                items.push(("/experts/me", lang.t("我的专家信息", "My expert record")));
            }
            if a.roles.is_empty() {
                // A self-registered provider waiting for verification acts with no roles.
                items.push(("/registrations/mine", lang.t("我的注册", "My registration")));
            }
            if shanzhi_domain::registry::may_keep(a, a.org_id) {
                items.push(("/registry", lang.t("本单位档案", "Our registry entry")));
            }
            if shanzhi_app::registry::may_see_sector(a) {
                items.push(("/sector", lang.t("承接主体发展", "Provider sector")));
            }
        }
        None => {
            items.push(("/", lang.t("首页", "Home")));
            items.push(("/projects", lang.t("项目", "Projects")));
            items.push(("/catalogue", lang.t("目录", "Catalogue")));
            items.push(("/register", lang.t("承接主体注册", "Register as a provider")));
        }
    }
    items.push(("/notices", lang.t("公告", "Notices")));
    items.push(("/audit", lang.t("审计", "Audit")));
    items
}

/// The nav item for `path`: the longest matching prefix, so /projects/new is not also "projects".
fn current<'a>(items: &[(&'a str, &str)], path: &str) -> Option<&'a str> {
    let path = path.split('?').next().unwrap_or(path);
    items
        .iter()
        .map(|(href, _)| *href)
        .filter(|href| path == *href || (*href != "/" && path.starts_with(href) && path[href.len()..].starts_with('/')))
        .max_by_key(|href| href.len())
}

pub fn page(shell: &Shell, title: &str, body: Markup) -> Markup {
    let lang = shell.lang;
    let items = nav_items(shell);
    let here = current(&items, shell.path);
    let (other, other_label, other_lang) = match lang {
        Lang::Zh => ("en", "English", "en"),
        Lang::En => ("zh", "中文", "zh-CN"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.html_lang()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - " (lang.t("善治", "Shanzhi")) }
                link rel="stylesheet" href=(crate::stylesheet_href());
            }
            body {
                a.skip-link href="#main" { (lang.t("跳到主要内容", "Skip to main content")) }
                header.site-header {
                    div.site-header__inner {
                        a.brand href="/" { (lang.t("善治 · 政府购买服务平台", "Shanzhi · Public Service Purchasing")) }
                        div.site-header__tools {
                            a.lang-switch href={"/lang/" (other) "?back=" (encode(shell.path))} lang=(other_lang)
                                hreflang=(other_lang) { (other_label) }
                            @if let Some(s) = shell.session {
                                a.user-name href="/account" title=(lang.t("我的账户与 API 令牌", "My account and API tokens")) {
                                    (s.actor.display_name) " · " (s.actor.org_name)
                                }
                                form method="post" action="/sign-out" {
                                    input type="hidden" name="_csrf" value=(s.csrf);
                                    button.link-button type="submit" { (lang.t("退出登录", "Sign out")) }
                                }
                            } @else {
                                a href={"/sign-in?next=" (encode(shell.path))} { (lang.t("登录", "Sign in")) }
                            }
                        }
                        nav.site-nav aria-label=(lang.t("主导航", "Main")) {
                            ul {
                                @for (href, label) in &items {
                                    li { a href=(href) aria-current=[(here == Some(*href)).then_some("page")] { (label) } }
                                }
                            }
                        }
                    }
                }
                main.container #main tabindex="-1" { (body) }
                footer.site-footer {
                    p { (lang.t("善治 · 政府购买服务平台", "Shanzhi · Public Service Purchasing")) }
                    p {
                        a href="/audit" { (lang.t(
                            "公开审计链：核验平台记录未被篡改",
                            "Public audit chain: check that records are untouched",
                        )) }
                    }
                }
            }
        }
    }
}

/// One label and its value in a `dl.summary-list`.
pub fn row(label: &str, value: Markup) -> Markup {
    html! { div.summary-list__row { dt { (label) } dd { (value) } } }
}

/// Breadcrumbs above the title: each (href, label), the current page last without a link.
pub fn breadcrumbs(lang: Lang, trail: &[(&str, &str)]) -> Markup {
    html! {
        nav.breadcrumbs aria-label=(lang.t("面包屑导航", "Breadcrumbs")) {
            ol {
                @for (i, (href, label)) in trail.iter().enumerate() {
                    @if i + 1 == trail.len() { li aria-current="page" { (label) } }
                    @else { li { a href=(href) { (label) } } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_nav_item_is_the_longest_prefix() {
        let items = [("/", "a"), ("/projects", "b"), ("/projects/new", "c"), ("/audit", "d")];
        assert_eq!(current(&items, "/"), Some("/"));
        assert_eq!(current(&items, "/projects?step=design"), Some("/projects"));
        assert_eq!(current(&items, "/projects/12/design"), Some("/projects"));
        assert_eq!(current(&items, "/projects/new"), Some("/projects/new"));
        assert_eq!(current(&items, "/projectsx"), None);
        assert_eq!(current(&items, "/catalogue"), None);
    }

    #[test]
    fn frame_has_title_lang_and_no_inline_styles() {
        let shell = Shell { lang: Lang::En, session: None, path: "/audit?x=1", back: None };
        let m = page(&shell, "Audit", html! { p { "hi" } }).into_string();
        assert!(m.starts_with("<!DOCTYPE html>"));
        assert!(m.contains(r#"<html lang="en">"#));
        assert!(m.contains("<title>Audit - Shanzhi</title>"));
        assert!(m.contains(r#"href="/lang/zh?back=%2Faudit%3Fx%3D1""#));
        assert!(!m.contains("style="));
    }
}
