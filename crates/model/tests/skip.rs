//! Why a scenario does not apply to a contract is decided once, by
//! `When::skip`, as data a reporter can put in any language; `skip_reason`
//! is that decision in English, word for word what it always said.

use sockspec_model::{Contract, Framing, ReplyKind, Skip, When};

fn contract(framing: Framing, reply: &str) -> Contract {
    Contract {
        framing,
        reply: reply.parse().unwrap(),
        ..Contract::default()
    }
}

#[test]
fn a_scenario_for_any_contract_is_never_skipped() {
    let when = When::default();
    let c = contract(Framing::None, "fixed:Thanks");
    assert_eq!(when.skip(&c), None);
    assert_eq!(when.skip_reason(&c), None);
}

#[test]
fn a_scenario_for_the_contracts_framing_and_rule_applies() {
    let when = When {
        framing: vec![Framing::Line, Framing::Len32],
        reply: vec![ReplyKind::Echo],
    };
    assert_eq!(when.skip(&contract(Framing::Len32, "echo")), None);
}

#[test]
fn another_framing_is_a_framing_skip() {
    let when = When {
        framing: vec![Framing::Line, Framing::Len32],
        reply: vec![],
    };
    let c = contract(Framing::None, "echo");
    assert_eq!(
        when.skip(&c),
        Some(Skip::Framing {
            wanted: vec![Framing::Line, Framing::Len32],
            got: Framing::None,
        })
    );
    assert_eq!(
        when.skip_reason(&c).as_deref(),
        Some("applies to framing line/len32 only; the contract says none")
    );
}

#[test]
fn another_reply_rule_is_a_reply_skip_naming_the_rule_as_written() {
    let when = When {
        framing: vec![],
        reply: vec![ReplyKind::Echo],
    };
    let c = contract(Framing::Line, "fixed:Thanks");
    assert_eq!(
        when.skip(&c),
        Some(Skip::Reply {
            wanted: vec![ReplyKind::Echo],
            got: "fixed:Thanks".into(),
        })
    );
    assert_eq!(
        when.skip_reason(&c).as_deref(),
        Some("applies to reply rule echo only; the contract says fixed:Thanks")
    );
}

#[test]
fn the_framing_is_judged_before_the_reply_rule() {
    let when = When {
        framing: vec![Framing::Line],
        reply: vec![ReplyKind::Echo],
    };
    let c = contract(Framing::None, "any");
    assert!(matches!(when.skip(&c), Some(Skip::Framing { .. })));
}

#[test]
fn skip_reason_is_the_skip_in_english() {
    let when = When {
        framing: vec![Framing::Len32],
        reply: vec![],
    };
    let c = contract(Framing::Line, "any");
    let skip = when.skip(&c).unwrap();
    assert_eq!(when.skip_reason(&c), Some(skip.to_string()));
}
