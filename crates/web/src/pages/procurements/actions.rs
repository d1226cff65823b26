//! The action forms on the procurement page: the form builder and the forms each actor may use now.

use maud::{html, Markup};
use shanzhi_domain::org::Role;
use shanzhi_domain::procurement::{ChallengeAbout, Consequence, Method, Procurement, Stage};

use super::super::forms::{self, options, plain, Kind};
use super::super::project_view::percent;
use super::super::SignedIn;
use super::command::{criteria, fid, mark_id};
use super::opening::bid_names;
use super::show::Kept;
use super::{is_finance, low_price, method_options};
use crate::error::AppResult;
use crate::AppState;
use shanzhi_app::procurements;

/// The kept input for form `which`, else a blank one.
fn pick<'a>(kept: &'a Kept, which: &str, blank: &'a Kept) -> &'a Kept {
    if kept.which == which {
        kept
    } else {
        blank
    }
}

pub(super) struct Ctx<'a> {
    user: &'a SignedIn,
    pub(super) p: &'a Procurement,
    kept: &'a Kept,
    blank: Kept,
}

impl Ctx<'_> {
    pub(super) fn k(&self, which: &str) -> &Kept {
        pick(self.kept, which, &self.blank)
    }
    pub(super) fn text(&self, which: &str, name: &str, label: &str, hint: Option<&str>) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        forms::text_field(&id, label, hint, k.form.get(&id), k.errors.get(&id))
    }
    pub(super) fn area(&self, which: &str, name: &str, label: &str, hint: Option<&str>) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        forms::textarea(&id, &id, label, hint, k.form.get(&id), k.errors.get(&id))
    }
    pub(super) fn yes_no(&self, which: &str, name: &str, legend: &str, yes: &str, no: &str) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        let opts = options(&[("true", yes), ("false", no)]);
        forms::choices(false, &id, legend, None, &opts, &[k.form.get(&id)], k.errors.get(&id))
    }
    pub(super) fn select(&self, which: &str, name: &str, label: &str, opts: Vec<(String, String)>) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        forms::select(&id, label, None, &plain(opts), k.form.get(&id), k.errors.get(&id))
    }
    fn check(&self, which: &str, name: &str, label: &str) -> Markup {
        let id = fid(which, name);
        forms::checkbox(&id, label, None, self.k(which).form.flag(&id))
    }
    /// The confirmation an irreversible action (see `IRREVERSIBLE`) is posted with.
    pub(super) fn confirm(&self, which: &str, label: &str) -> Markup {
        let id = fid(which, "confirm");
        forms::confirm_box(&id, label, self.k(which).errors.get(&id))
    }
    /// One action's form, posting to `/procurements/{id}/do/{action}`, with problems that name no input.
    pub(super) fn form(
        &self,
        action: &str,
        challenge: Option<u32>,
        heading: &str,
        fields: Markup,
        button: &str,
    ) -> Markup {
        let which = match challenge {
            Some(n) => format!("{action}{n}"),
            None => action.to_string(),
        };
        let k = self.k(&which);
        let general: Vec<&str> =
            k.errors.items.iter().filter(|e| e.key.is_empty()).map(|e| e.message.as_str()).collect();
        html! {
            section.action id={"action-" (which)} {
                h3 { (heading) }
                @for m in &general { p.error-message { (m) } }
                form method="post" action={"/procurements/" (self.p.id) "/do/" (action)} novalidate {
                    (forms::csrf(&self.user.session))
                    @if let Some(n) = challenge { input type="hidden" name="challenge" value=(n); }
                    (fields)
                    div.button-group { (forms::submit(button)) }
                }
            }
        }
    }
}

pub(super) async fn actions(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept) -> AppResult<Markup> {
    let lang = user.lang;
    let actor = &user.session.actor;
    let c = Ctx { user, p, kept, blank: Kept::default() };
    let runs = p.runs(actor);
    let member = p.committee.as_ref().and_then(|cm| cm.member(actor.user_id).map(|_| cm));
    let declared = member.is_some_and(|cm| cm.may_see_bids(actor.user_id));
    let finance = is_finance(actor);
    let provider = actor.has(Role::Provider) && !procurements::can_view(actor, p);
    let names = bid_names(p);
    let bid_options: Vec<(String, String)> = p
        .evaluated_bids()
        .iter()
        .map(|b| (b.bid_id.to_string(), names.get(&b.bid_id).cloned().unwrap_or_default()))
        .collect();
    let mut out: Vec<Markup> = Vec::new();
    let s = p.stage;
    let time_hint = lang.t("北京时间，格式 YYYY-MM-DD HH:MM", "China time, YYYY-MM-DD HH:MM");
    if runs {
        let negotiates_at_once = p.method == Method::SingleSource && !p.needs_single_source_notice();
        if s == Stage::Draft && !negotiates_at_once {
            out.push(c.form(
                "publish",
                None,
                lang.t("发布采购公告", "Publish the announcement"),
                c.text("publish", "bid_deadline", lang.t("投标（响应）截止时间", "Bid deadline"), Some(time_hint)),
                lang.t("发布公告", "Publish"),
            ));
        }
        if s == Stage::Bidding {
            let mut questions =
                vec![(String::new(), lang.t("（不针对具体问题）", "(not answering a question)").to_string())];
            questions.extend(p.questions.iter().map(|q| (q.id.to_string(), format!("{}. {}", q.id, q.text))));
            out.push(c.form("clarify", None, lang.t("澄清或修改采购文件", "Clarify or amend the documents"), html! {
                @if !p.questions.is_empty() { (c.select("clarify", "answers", lang.t("答复的问题（提问人不公开）", "Question answered (the asker is never named)"), questions)) }
                (c.area("clarify", "text", lang.t("澄清内容", "Clarification"), None))
                (c.check("clarify", "affects_bids", lang.t("影响投标文件编制（截止时间将依法顺延）", "It affects how bids are prepared (the deadline moves as the law requires)")))
            }, lang.t("发布澄清", "Publish the clarification")));
        }
        if matches!(s, Stage::Bidding | Stage::FinalOffers) {
            out.push(c.form(
                "open",
                None,
                lang.t("开标", "Open the bids"),
                c.area(
                    "open",
                    "attendees",
                    lang.t("参加开标人员", "Present at the opening"),
                    Some(lang.t(
                        "每行一人，例如监督人员、投标人代表。截止时间之后才能开标。",
                        "One per line, e.g. supervisors and bidders' representatives. Only after the deadline.",
                    )),
                ),
                lang.t("开标", "Open the bids"),
            ));
        }
        if matches!(s, Stage::Negotiating | Stage::Evaluating) && p.committee.is_none() {
            let staff: Vec<(String, String)> = shanzhi_app::directory::staff_of(state, p.purchaser_org_id)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.display_name))
                .collect();
            out.push(c.form("draw_committee", None, lang.t("抽取评审委员会", "Draw the evaluation committee"),
                html! {
                    p.hint { (lang.t("从专家库随机抽取，排除有利害关系的专家；抽取种子记录在案。", "Drawn at random from the expert pool, excluding conflicted experts; the seed is recorded.")) }
                    (forms::choices(true, "draw_committee_representatives", lang.t("采购人代表（可选；专家不少于三分之二）", "Purchaser's representatives (optional; experts stay at least two thirds)"), None, &staff, &c.k("draw_committee").form.all("draw_committee_representatives"), c.k("draw_committee").errors.get("representatives")))
                },
                lang.t("随机抽取", "Draw")));
        }
        if let Some(cm) = &p.committee {
            if cm.members.iter().any(|m| cm.recused(m.user_id)) && matches!(s, Stage::Negotiating | Stage::Evaluating) {
                out.push(c.form(
                    "replace_recused",
                    None,
                    lang.t("补抽回避专家", "Replace recused experts"),
                    html! {},
                    lang.t("补抽", "Draw replacements"),
                ));
            }
        }
        if s == Stage::Confirming {
            let outcome = p.outcome(&state.rules).ok();
            let winners: Vec<(String, String)> = outcome
                .map(|o| o.winners)
                .unwrap_or_default()
                .iter()
                .map(|b| (b.to_string(), names.get(b).cloned().unwrap_or_default()))
                .collect();
            out.push(c.form("award", None, lang.t("确定中标（成交）人", "Confirm the winner"), html! {
                (c.select("award", "bid_id", lang.t("中标（成交）供应商", "Winner"), winners))
                (c.text("award", "tie_reason", lang.t("并列时的选择理由", "Reason if tied"), Some(lang.t("仅在得分与报价均并列时填写，按采购文件规定的规则。", "Only when tied on score and price, under the documents' rule."))))
                (c.confirm("award", lang.t("我确认上述中标（成交）供应商；确定后发布结果公告，不能撤回", "I confirm this winner; the result notice is published and this cannot be undone")))
            }, lang.t("确定中标（成交）人", "Confirm the winner")));
        }
        if s == Stage::Notice || (s == Stage::Draft && negotiates_at_once) {
            out.push(c.form(
                "negotiation",
                None,
                lang.t("记录单一来源价格协商", "Record the single-source negotiation"),
                html! {
                    (c.text("negotiation", "price", lang.t("成交价格（元）", "Agreed price (yuan)"), None))
                    (c.area("negotiation", "minutes", lang.t("协商记录", "Minutes"), None))
                },
                lang.t("记录并确定成交", "Record and award"),
            ));
        }
        if s == Stage::Failed && p.switch.is_none() {
            out.push(c.form(
                "request_switch",
                None,
                lang.t("申请变更采购方式", "Ask finance to change the method"),
                html! {
                    (c.select("request_switch", "to", lang.t("改为", "Change to"), method_options(lang)))
                    (c.area("request_switch", "reason", lang.t("理由", "Reason"), None))
                },
                lang.t("提交申请", "Ask finance"),
            ));
        }
        if s == Stage::Awarded && p.method == Method::FrameworkAgreement {
            let members: Vec<(String, String)> =
                p.award.iter().flat_map(|a| a.members.iter()).map(|w| (w.org_id.to_string(), w.name.clone())).collect();
            out.push(c.form(
                "call_off",
                None,
                lang.t("框架协议下单", "Call off the framework"),
                html! {
                    (c.select("call_off", "org_id", lang.t("供应商", "Provider"), members))
                    (c.text("call_off", "amount", lang.t("金额（元）", "Amount (yuan)"), None))
                    (c.text("call_off", "note", lang.t("说明", "Note"), None))
                },
                lang.t("下单", "Call off"),
            ));
        }
        for ch in p.challenges.iter().filter(|ch| ch.reply.is_none() && ch.complaint.is_none()) {
            let w = format!("reply{}", ch.id);
            out.push(c.form("reply", Some(ch.id), &format!("{}{}", lang.t("答复质疑 ", "Reply to challenge "), ch.id), html! {
                (c.area(&w, "text", lang.t("答复内容", "Reply"), None))
                (c.yes_no(&w, "upheld", lang.t("质疑是否成立", "Is the challenge upheld?"), lang.t("成立", "Upheld"), lang.t("不成立", "Not upheld")))
            }, lang.t("答复", "Reply")));
        }
        if !matches!(s, Stage::Awarded | Stage::Failed) {
            out.push(c.form(
                "abandon",
                None,
                lang.t("终止采购活动", "Abandon the procurement"),
                html! {
                    (c.area("abandon", "reason", lang.t("终止原因", "Reason"), None))
                    (c.confirm("abandon", lang.t("我确认终止本次采购活动，终止后不能恢复", "I confirm: abandon this procurement; this cannot be undone")))
                },
                lang.t("终止采购", "Abandon"),
            ));
        }
    }
    if member.is_some() && !declared && !member.is_some_and(|cm| cm.recused(actor.user_id)) {
        out.push(c.form("declare", None, lang.t("利害关系声明", "Declare any conflict"), html! {
            p.hint { (lang.t("声明后才能查阅投标文件。有利害关系的须回避。", "You see the bids only after declaring. Declare a conflict to step aside.")) }
            (c.yes_no("declare", "no_conflict", lang.t("本人与各投标人是否存在利害关系？", "Do you have a conflict with any bidder?"), lang.t("不存在利害关系", "No conflict"), lang.t("存在利害关系，申请回避", "I have a conflict and step aside")))
        }, lang.t("提交声明", "Declare")));
    }
    if declared {
        if s == Stage::Negotiating {
            out.push(c.form(
                "round",
                None,
                lang.t("记录谈判（磋商）轮次", "Record a negotiation round"),
                c.area("round", "notes", lang.t("谈判记录", "Notes"), None),
                lang.t("记录", "Record"),
            ));
            out.push(c.form(
                "call_final_offers",
                None,
                lang.t("要求最后报价", "Call for final offers"),
                c.text(
                    "call_final_offers",
                    "deadline",
                    lang.t("最后报价截止时间", "Final offers deadline"),
                    Some(time_hint),
                ),
                lang.t("发出", "Call"),
            ));
        }
        if s == Stage::Evaluating {
            out.push(c.form("compliance", None, lang.t("资格与符合性审查", "Compliance review"), html! {
                (c.select("compliance", "bid_id", lang.t("投标人", "Bidder"), bid_options.clone()))
                (c.yes_no("compliance", "qualified", lang.t("审查结论", "Result"), lang.t("通过", "Qualified"), lang.t("不通过", "Not qualified")))
                (c.text("compliance", "reason", lang.t("理由", "Reason"), Some(lang.t("不通过时必须写明。", "Required when not qualified."))))
            }, lang.t("记录审查结论", "Record")));
            out.extend(low_price::committee_forms(&c, lang, &bid_options));
            let crit = criteria(p);
            if !crit.is_empty() {
                let k = c.k("marks");
                out.push(c.form("marks", None, lang.t("评分", "Marks"), html! {
                    p.hint { (lang.t("每个投标人每项评分因素 0–100 分。", "Score each bid on each criterion from 0 to 100.")) }
                    @for b in p.evaluated_bids() {
                        fieldset.field {
                            legend { (names.get(&b.bid_id).map(String::as_str).unwrap_or("?")) }
                            @for cr in &crit {
                                @let id = mark_id(b.bid_id, &cr.key);
                                // What this expert entered before, unless a refused form is being shown again.
                                @let earlier = p.marks.iter().find(|m| m.expert == actor.user_id && m.bid == b.bid_id && m.criterion == cr.key).map(|m| m.score.as_str());
                                @let value = if k.which == "marks" { k.form.get(&id) } else { earlier.unwrap_or("") };
                                (forms::input(Kind::Decimal, &id, &format!("{}（{}）", cr.name, percent(cr.weight_bp)), None, value, k.errors.get(&id)))
                            }
                        }
                    }
                }, lang.t("提交评分", "Submit the marks")));
            }
            out.push(c.form("report", None, lang.t("完成评审", "Finish the evaluation"),
                html! { p.hint { (lang.t("全部专家评分后提交评审报告，按得分排序推荐中标候选人。", "When every expert has marked, submit the report; bids are ranked by score.")) } },
                lang.t("提交评审报告", "Submit the report")));
        }
    }
    if finance || actor.is_upper_finance_reviewer() {
        if p.switch.as_ref().is_some_and(|sw| sw.decision.is_none()) {
            out.push(c.form("decide_switch", None, lang.t("审批变更采购方式", "Decide the change of method"), html! {
                (c.yes_no("decide_switch", "approve", lang.t("审批意见", "Decision"), lang.t("批准", "Approve"), lang.t("不批准", "Refuse")))
                (c.text("decide_switch", "document_no", lang.t("批复文号", "Approval's document number"), Some(lang.t("公开招标数额标准以上的项目须由设区的市级以上财政部门批准并填写文号。", "At or above the open-tender threshold, the city's (or higher) finance department approves, with its document number."))))
                (c.area("decide_switch", "comment", lang.t("说明", "Comment"), None))
            }, lang.t("提交审批", "Decide")));
        }
        // Complaints are the district bureau's.
        for ch in
            p.challenges.iter().filter(|ch| finance && ch.complaint.as_ref().is_some_and(|k| k.decision.is_none()))
        {
            let n = ch.id;
            let (wp, ws, wd) = (format!("pause{n}"), format!("suspend{n}"), format!("decide{n}"));
            let date_hint = Some(lang.t("格式 YYYY-MM-DD", "YYYY-MM-DD"));
            out.push(c.form(
                "pause",
                Some(n),
                &format!("{}{}", lang.t("中止投诉处理期限 · 质疑 ", "Pause the complaint · challenge "), n),
                html! {
                    (c.text(&wp, "from", lang.t("自", "From"), date_hint))
                    (c.text(&wp, "to", lang.t("至", "To"), date_hint))
                },
                lang.t("中止期限", "Pause"),
            ));
            out.push(c.form(
                "suspend",
                Some(n),
                &format!("{}{}", lang.t("暂停采购活动 · 质疑 ", "Suspend the procurement · challenge "), n),
                c.text(&ws, "until", lang.t("暂停至", "Until"), date_hint),
                lang.t("暂停", "Suspend"),
            ));
            let mut consequences = vec![(String::new(), lang.t("无", "None").to_string())];
            consequences.extend(
                Consequence::ALL.iter().map(|q| (q.code().to_string(), lang.t(q.label_zh(), q.label_en()).to_string())),
            );
            out.push(c.form("decide", Some(n), &format!("{}{}", lang.t("作出投诉处理决定 · 质疑 ", "Decide the complaint · challenge "), n), html! {
                (c.yes_no(&wd, "upheld", lang.t("投诉是否成立", "Is the complaint upheld?"), lang.t("成立", "Upheld"), lang.t("不成立，驳回", "Dismissed")))
                (c.select(&wd, "consequence", lang.t("处理方式", "Consequence"), consequences))
                (c.area(&wd, "reasons", lang.t("处理理由", "Reasons"), None))
            }, lang.t("作出决定", "Decide")));
        }
    }
    if provider {
        let v = procurements::provider_view(state, actor, p).await?;
        if s == Stage::Bidding && !v.registered_interest {
            out.push(c.form(
                "interest",
                None,
                lang.t("登记参与", "Register your interest"),
                html! {},
                lang.t("登记参与", "Register"),
            ));
        }
        if s == Stage::Bidding {
            out.push(c.form(
                "ask",
                None,
                lang.t("向采购人提问", "Ask the purchaser"),
                c.area(
                    "ask",
                    "text",
                    lang.t("问题", "Question"),
                    Some(lang.t(
                        "答复以澄清公告形式公开，不公开提问人。",
                        "Answers are published as clarifications, without naming who asked.",
                    )),
                ),
                lang.t("提交问题", "Ask"),
            ));
        }
        out.extend(low_price::bidder_form(&c, lang, v.my_low_price.as_ref()));
        let final_round = s == Stage::FinalOffers && v.final_deadline.is_some();
        if s == Stage::Bidding || final_round {
            let k = c.k("bid");
            let has_bid = v.my_bids.iter().any(|b| !b.withdrawn && (b.round == 1) == final_round);
            out.push(html! {
                section.action #action-bid {
                    h3 { @if has_bid { (lang.t("修改密封投标", "Change your sealed bid")) } @else { (lang.t("提交密封投标", "Submit a sealed bid")) } }
                    @for m in k.errors.items.iter().filter(|e| e.key.is_empty()) { p.error-message { (m.message) } }
                    form method="post" action={"/procurements/" (p.id) "/bid"} enctype="multipart/form-data" novalidate {
                        (forms::csrf(&user.session))
                        (forms::input(Kind::Decimal, "bid_price", lang.t("报价（元）", "Price (yuan)"), Some(lang.t("开标前任何人（包括采购人）都无法查看。", "Nobody, the purchaser included, can read it before the opening.")), k.form.get("bid_price"), k.errors.get("bid_price")))
                        (forms::checkbox("bid_small_or_micro", lang.t("本单位为小微企业", "We are a small or micro enterprise"), None, k.form.flag("bid_small_or_micro")))
                        (forms::textarea("bid_proposal", "bid_proposal", lang.t("技术方案", "Technical proposal"), None, k.form.get("bid_proposal"), k.errors.get("bid_proposal")))
                        div.field.(if k.errors.get("file").is_some() { "field--error" } else { "" }) {
                            label.label for="file" { (lang.t("附件（可选，与投标一同密封）", "Attachment (optional, sealed with the bid)")) }
                            @if let Some(m) = k.errors.get("file") { p.error-message #file-error { (m) } }
                            input #file type="file" name="file";
                        }
                        div.button-group { (forms::submit(lang.t("提交投标", "Submit the bid"))) }
                    }
                    @if has_bid {
                        form method="post" action={"/procurements/" (p.id) "/bid/withdraw"} {
                            (forms::csrf(&user.session))
                            div.button-group { button.btn.btn--warning type="submit" { (lang.t("撤回投标", "Withdraw the bid")) } }
                        }
                    }
                }
            });
        }
        if p.published_on.is_some() {
            let abouts: Vec<(String, String)> = ChallengeAbout::ALL
                .iter()
                .map(|a| (a.code().to_string(), lang.t(a.label_zh(), a.label_en()).to_string()))
                .collect();
            out.push(c.form(
                "challenge",
                None,
                lang.t("提出质疑", "Challenge"),
                html! {
                    (c.select("challenge", "about", lang.t("质疑事项", "About"), abouts))
                    (c.area("challenge", "text", lang.t("质疑内容", "Challenge"), None))
                },
                lang.t("提出质疑", "Challenge"),
            ));
        }
        for ch in v.my_challenges.iter().filter(|ch| ch.complaint.is_none()) {
            let w = format!("complain{}", ch.id);
            out.push(c.form(
                "complain",
                Some(ch.id),
                &format!("{}{}", lang.t("向财政部门投诉 · 质疑 ", "Complain to finance · challenge "), ch.id),
                c.area(&w, "text", lang.t("投诉内容", "Complaint"), None),
                lang.t("投诉", "Complain"),
            ));
        }
    }
    Ok(html! {
        h2 #actions { (lang.t("可进行的操作", "What you can do")) }
        @if out.is_empty() { p.muted { (lang.t("目前没有需要您处理的事项。", "There is nothing for you to do here now.")) } }
        @for m in &out { (m) }
    })
}
