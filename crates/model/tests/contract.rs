//! What a scenario asks of a program under a grader's contract: the
//! contract's own words (a missing page it names) fill in the scenario's.

use sockspec_model::{Source, load_sources};

#[test]
fn a_request_for_a_missing_page_asks_for_the_graders_own() {
    use sockspec_model::{Contract, RequestStep};
    let (scenarios, errors) = load_sources(&[Source {
        name: "nf.yaml".into(),
        text: "id: http-server/nf\ntitle: t\nrole: http-server\nlevel: required\nconcept: c\n\
               steps:\n  - connect: a\n  - request: { to: a, path: \"{missing}\" }\n  - expect_response: { from: a }\n"
            .into(),
    }]);
    assert!(errors.is_empty(), "{errors:?}");
    let sockspec_model::Step::Request(r) = &scenarios[0].steps[1].step else {
        panic!("{:?}", scenarios[0].steps[1].step)
    };
    assert_eq!(r.path, RequestStep::MISSING);
    let mut contract = Contract::default();
    assert_eq!(r.for_contract(&contract).path, "/no-such-page.html");
    contract.pages = vec!["/=200".parse().unwrap(), "/nope=404".parse().unwrap()];
    assert_eq!(r.for_contract(&contract).path, "/nope");
}
