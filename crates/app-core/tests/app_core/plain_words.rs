#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! Plain words, measured: for every text the app shows (the page's texts,
//! the sentences it composes, the trainer's pages' words, every error message, the checklist before
//! 3-1 and the glossary's explanations) in Japanese, how long
//! its sentences are, and how many of its technical words have an
//! explanation in the glossary (ことばの説明). The figures are printed
//! (`cargo test -p kaigo-app-core plain_words -- --nocapture`) and held to
//! the limits below.

use kaigo_app_core::catalogue::Text;
use kaigo_domain::glossary::terms_in;
use kaigo_domain::{ErrorCode, Language, Policy};
use std::collections::BTreeMap;

/// The longest sentence a screen may show, in characters (values of the
/// moment counted as four).
const LONGEST_SENTENCE: usize = 65;
/// The share of the screens' technical words that must have an explanation: all.
const EXPLAINED_AT_LEAST: f64 = 1.0;

/// Words in katakana everyone knows: not technical.
const EVERYDAY: &[&str] = &[
    "パスワード",
    "メール",
    "メールアドレス",
    "パソコン",
    "コンピューター",
    "ホームページ",
    "ボタン",
    "ファイル",
    "フォルダ",
    "アプリ",
    "サポート",
    "スマートフォン",
    "タブレット",
    "インターネット",
    "ログイン",
    "ログアウト",
    "チェック",
    "リンク",
    "コード",
    "サービス",
    "ケアマネジャー",
    "マイナンバーカード",
    "カード",
    "リスト",
    "メッセージ",
    "ダウンロード",
    "アドレス",
    "センター",
    "ヘルプデスク",
    "ユーザ",
    "モード",
    "ステップ",
    "テスト",
    "ページ",
    "エラー",
    "コピー",
    "シート",
    "スタッフ",
    "メモ",
    "ネットワーク",
    "セキュリティ",
    "ユーザ名",
    "ホーム",
    "ハイフン",
    "ケーブル",
    "アクセス",
    "デスクトップ",
    "メニュー",
    // ユーザ and ログイン, as the real screen's button writes them together.
    "ユーザログイン",
];

/// Technical abbreviations (capital letters elsewhere are codes and
/// examples, or ID, PC and the KJ of an ID, which everyone knows).
const ABBREVIATIONS: &[&str] =
    &["HTTP", "HTTPS", "IC", "IP", "NFC", "OS", "QR", "SMS", "SOCKS", "SSL", "TLS", "URL", "USB", "PAC", "WPAD", "CSV", "PDF"];

/// Technical words written in kanji that the detector cannot see by their
/// script: each either has an explanation or counts against the share.
const KANJI_TERMS: &[&str] = &[
    "職種区分",
    "職種",
    "事業所番号",
    "資格確認端末",
    "事前設定",
    "利用開始",
    "電子請求受付システム",
    "初期パスワード",
    "事業所ユーザ",
    "管理者ユーザ",
    "一般ユーザ",
    "完了報告書",
    "練習モード",
    "研修",
    "署名",
    "失効",
    "暗号化",
    "中継サーバー",
    "認証",
    "発行元",
];

/// Every text in Japanese, by name.
fn screen_texts() -> BTreeMap<String, String> {
    let policy = Policy::default();
    let mut texts = BTreeMap::new();
    // The trainer's pages too: a trainer is office staff as well.
    for t in Text::PAGE.iter().chain(Text::COMPOSED).chain(Text::TRAINER) {
        texts.insert(format!("text:{}", t.key()), t.render(&policy, Language::Japanese));
    }
    for code in ErrorCode::ALL {
        texts.insert(format!("error:{}", code.as_str()), code.message_ja(&policy));
    }
    // The checklist before 3-1, as shown (the help desk written in), and
    // the glossary's explanations (F1, ことばの説明).
    for item in kaigo_domain::readiness_checklist() {
        texts.insert(format!("readiness:{}:question", item.id), item.question.to_owned());
        texts.insert(format!("readiness:{}:if_not", item.id), item.if_not);
    }
    // 本番の日: the guide beside Edge, every step and hint.
    let guide = kaigo_domain::real_day::guide();
    for step in &guide.steps {
        for (i, line) in step.asks.iter().chain(&step.ready).enumerate() {
            texts.insert(format!("real_day:{}:{i}", step.id), line.clone());
        }
        texts.insert(format!("real_day:{}:next", step.id), step.next.clone());
    }
    for hint in &guide.hints {
        texts.insert(format!("real_day:hint:{}:title", hint.id), hint.title.clone());
        texts.insert(format!("real_day:hint:{}", hint.id), hint.what_to_do.join("\n"));
    }
    for term in kaigo_domain::glossary::glossary() {
        texts.insert(format!("glossary:{}", term.forms(Language::Japanese)[0]), term.explanation(Language::Japanese).to_owned());
    }
    texts
}

/// Sentences, with `**` marks dropped and values of the moment as four characters.
fn sentences(text: &str) -> Vec<String> {
    let mut plain = text.replace("**", "");
    while let (Some(open), Some(close)) = (plain.find('{'), plain.find('}')) {
        if close < open {
            break;
        }
        plain.replace_range(open..=close, "〇〇〇〇");
    }
    plain.split(['。', '！', '？', '\n']).map(str::trim).filter(|s| s.chars().count() > 1).map(str::to_owned).collect()
}

fn is_katakana(c: char) -> bool {
    ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

/// The technical words of `text`: long katakana words that are not
/// everyday ones, the abbreviations below, and the kanji terms.
fn technical_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut run = String::new();
    let mut latin = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_katakana(c) {
            run.push(c);
        } else {
            if run.chars().count() >= 4 && !EVERYDAY.contains(&run.as_str()) {
                words.push(run.clone());
            }
            run.clear();
        }
        if c.is_ascii_uppercase() {
            latin.push(c);
        } else {
            if ABBREVIATIONS.contains(&latin.as_str()) {
                words.push(latin.clone());
            }
            latin.clear();
        }
    }
    words.extend(KANJI_TERMS.iter().filter(|k| text.contains(*k)).map(|k| (*k).to_owned()));
    words
}

/// Whether the glossary explains `word` where `text` shows it: a word of
/// the glossary found in the text (as the page's F1 finds them) is the
/// word or contains it (クライアント in クライアント証明書).
fn explained(word: &str, text: &str) -> bool {
    terms_in(text, Language::Japanese).iter().any(|t| t.forms(Language::Japanese).iter().any(|f| text.contains(f) && f.contains(word)))
}

#[test]
fn screen_texts_have_short_sentences_and_their_technical_words_are_explained() {
    let texts = screen_texts();
    let all: Vec<(String, String)> = texts.iter().flat_map(|(name, t)| sentences(t).into_iter().map(move |s| (name.clone(), s))).collect();
    let lengths: Vec<usize> = all.iter().map(|(_, s)| s.chars().count()).collect();
    let mean = lengths.iter().sum::<usize>() as f64 / lengths.len() as f64;
    let over_50 = lengths.iter().filter(|l| **l > 50).count();
    let (longest_name, longest) = all.iter().max_by_key(|(_, s)| s.chars().count()).unwrap();

    // A word counts as explained only if it is wherever it appears.
    let mut words: BTreeMap<String, bool> = BTreeMap::new();
    for t in texts.values() {
        for w in technical_words(t) {
            let here = explained(&w, t);
            words.entry(w).and_modify(|e| *e &= here).or_insert(here);
        }
    }
    let explained_count = words.values().filter(|e| **e).count();
    let share = explained_count as f64 / words.len() as f64;
    let unexplained: Vec<&String> = words.iter().filter(|(_, e)| !**e).map(|(w, _)| w).collect();
    eprintln!(
        "plain words: {} texts, {} sentences, mean {:.1} characters, {} over 50, longest {} ({longest_name}: {longest}); \
         {} technical words, {} explained ({:.0} %); not explained: {unexplained:?}",
        texts.len(),
        lengths.len(),
        mean,
        over_50,
        longest.chars().count(),
        words.len(),
        explained_count,
        share * 100.0
    );
    let mut by_length: Vec<&(String, String)> = all.iter().collect();
    by_length.sort_by_key(|(_, s)| std::cmp::Reverse(s.chars().count()));
    for (name, sentence) in by_length.iter().take(8) {
        eprintln!("  {} {name}: {sentence}", sentence.chars().count());
    }
    assert!(longest.chars().count() <= LONGEST_SENTENCE, "{longest_name}: {longest}");
    assert!(share >= EXPLAINED_AT_LEAST, "{:.0} % explained; not: {unexplained:?}", share * 100.0);
}

#[test]
fn the_detector_finds_technical_words_and_skips_everyday_ones() {
    let words = technical_words("クライアント証明書をパソコンに入れて、QRコードをSMSで送り、職種区分を選びます。");
    assert_eq!(words, ["クライアント", "QR", "SMS", "職種区分", "職種"]);
    assert!(explained("クライアント", "クライアント証明書を選びます") && explained("職種区分", "職種区分を選びます"));
    assert!(!explained("クライアント", "クライアントを選びます"), "クライアント alone is not クライアント証明書");
    assert!(!explained("ルーター", "ルーター"), "a word the glossary lacks");
    assert_eq!(sentences("**太字**の{name}です。次に進む！"), ["太字の〇〇〇〇です", "次に進む"]);
}
