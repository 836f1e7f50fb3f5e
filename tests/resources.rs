//! Resource text syntax and arithmetic with Mesos's rules.

use mesos_http::resources::{reservation_role, scalar_resource, ParseErrorKind, Resources};
use mesos_http::v1;
use mesos_http::v1::resource::reservation_info;
use mesos_http::v1::value::{Range, Type};

fn res(text: &str) -> Resources {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn ranges(r: &Resources, name: &str) -> Vec<(u64, u64)> {
    r.ranges(name)
        .map(|r| r.range.iter().map(|x| (x.begin, x.end)).collect())
        .unwrap_or_default()
}

#[test]
fn parses_every_value_kind() {
    let r = res("cpus:1;mem:128;ports:[31000-31005,32000-32001];disks:{a,b}");
    assert_eq!(r.len(), 4);
    let cpus = &r.as_slice()[0];
    assert_eq!(cpus.name, "cpus");
    assert_eq!(cpus.r#type, Type::SCALAR);
    assert_eq!(cpus.scalar.as_ref().map(|s| s.value), Some(1.0));
    assert_eq!(cpus.role, None, "the deprecated role field is left unset");
    assert!(cpus.reservations.is_empty(), "unreserved");
    assert_eq!(r.get_scalar("mem"), Some(128.0));
    assert_eq!(ranges(&r, "ports"), vec![(31000, 31005), (32000, 32001)]);
    assert_eq!(
        r.set("disks").map(|s| s.item),
        Some(vec!["a".to_string(), "b".to_string()])
    );
    assert_eq!(r.get_scalar("gpus"), None);
}

#[test]
fn whitespace_is_tolerated() {
    let spaced =
        res("  cpus ( web ) : 1.5 ;\n mem:  64 ; ports: [ 1 - 2 , 4-5 ] ; disks : { a , b } ;");
    assert_eq!(
        spaced,
        res("cpus(web):1.5;mem:64;ports:[1-2,4-5];disks:{a,b}")
    );
    assert_eq!(
        spaced.to_string(),
        "cpus(web):1.5; mem:64; ports:[1-2, 4-5]; disks:{a, b}"
    );
}

#[test]
fn a_role_is_a_static_reservation() {
    let r = res("cpus(web):2;cpus(*):1");
    assert_eq!(r.len(), 2, "different roles never merge");
    let reserved = &r.as_slice()[0];
    assert_eq!(reserved.role, None);
    assert_eq!(reserved.reservations.len(), 1);
    assert_eq!(
        reserved.reservations[0].r#type,
        Some(reservation_info::Type::STATIC)
    );
    assert_eq!(reserved.reservations[0].role.as_deref(), Some("web"));
    assert_eq!(reservation_role(reserved), "web");
    assert_eq!(reservation_role(&r.as_slice()[1]), "*");
    assert_eq!(r.get_scalar("cpus"), Some(3.0), "totals span roles");
    assert_eq!(r.reserved_for("web").cpus(), 2.0);
    assert_eq!(r.unreserved().cpus(), 1.0);
}

#[test]
fn the_old_role_format_is_the_same_kind() {
    // How the master writes reserved resources in offers to frameworks
    // without RESERVATION_REFINEMENT.
    let offered = v1::Resource {
        role: Some("web".into()),
        ..scalar_resource("cpus", 4.0)
    };
    let offer = Resources::from(vec![offered]);
    assert!(offer.contains(&res("cpus(web):3")));
    assert!(
        !offer.contains(&res("cpus:3")),
        "unreserved is another kind"
    );
    assert_eq!((offer - res("cpus(web):1")).cpus(), 3.0);
    let star = Resources::from(vec![v1::Resource {
        role: Some("*".into()),
        ..scalar_resource("mem", 10.0)
    }]);
    assert!(star.contains(&res("mem:10")));
}

#[test]
fn round_trips_through_display() {
    for text in [
        "cpus:1; mem:128; ports:[31000-31005, 32000-32001]; disks:{a, b}",
        "cpus(web):0.125; cpus:2; gpus(a/b):1",
        "ports:[5-5]",
        "",
    ] {
        let parsed = res(text);
        assert_eq!(parsed.to_string(), text);
        assert_eq!(res(&parsed.to_string()), parsed);
    }
}

#[test]
fn scalars_use_three_decimal_fixed_point() {
    let sum = res("cpus:0.1") + res("cpus:0.2");
    assert_eq!(sum.cpus(), 0.3);
    assert_eq!(sum, res("cpus:0.3"));
    assert_eq!(sum.to_string(), "cpus:0.3");
    assert_eq!(res("cpus:0.0004").len(), 0, "rounds to nothing");
    assert_eq!(
        res("cpus:0.0005").cpus(),
        0.001,
        "half rounds away from zero"
    );
    assert_eq!(res("mem:1.23456").mem(), 1.235);

    let mut r = res("cpus:1;mem:100");
    r -= &res("cpus:0.7");
    assert_eq!(r.cpus(), 0.3);
    r -= &res("cpus:0.3");
    assert_eq!(
        r.get_scalar("cpus"),
        None,
        "a resource that reaches zero disappears"
    );
    assert_eq!(r, res("mem:100"));
    r -= &res("mem:500");
    assert!(r.is_empty(), "never negative");
}

#[test]
fn same_names_add_up_when_parsed() {
    assert_eq!(res("cpus:1;cpus:2.5").cpus(), 3.5);
    assert_eq!(res("cpus:1;cpus:2.5").len(), 1);
    assert_eq!(
        ranges(&res("ports:[1-3];ports:[4-6]"), "ports"),
        vec![(1, 6)]
    );
}

#[test]
fn ranges_merge_split_and_contain() {
    let offer = res("ports:[31000-32000]");
    let middle = res("ports:[31100-31199]");
    let left = offer.clone() - middle.clone();
    assert_eq!(ranges(&left, "ports"), vec![(31000, 31099), (31200, 32000)]);
    assert!(!left.contains(&res("ports:[31150-31150]")));
    assert!(left.contains(&res("ports:[31000-31099,31200-31200]")));
    assert_eq!(
        left.clone() + middle,
        offer,
        "adding back merges the pieces"
    );

    // Adjacent and overlapping ranges coalesce, order does not matter.
    assert_eq!(
        ranges(&res("ports:[10-12,1-3,4-5,11-20]"), "ports"),
        vec![(1, 5), (10, 20)]
    );
    // Cutting at the edges.
    let edges = res("ports:[1-10]") - res("ports:[1-1,10-10]");
    assert_eq!(ranges(&edges, "ports"), vec![(2, 9)]);
    let across = res("ports:[1-5,8-12]") - res("ports:[4-9]");
    assert_eq!(ranges(&across, "ports"), vec![(1, 3), (10, 12)]);
    assert!(res("ports:[1-10]").contains(&res("ports:[2-3,5-9]")));
    assert!(!res("ports:[1-10]").contains(&res("ports:[9-11]")));
    assert!(res("ports:[1-5,6-10]").contains(&res("ports:[5-6]")));
    let whole = res("ports:[1-10]") - res("ports:[0-100]");
    assert!(whole.is_empty());
}

#[test]
fn sets_union_and_difference() {
    let r = res("disks:{a,b}") + res("disks:{b,c}");
    assert_eq!(
        r.set("disks").map(|s| s.item),
        Some(vec!["a".to_string(), "b".to_string(), "c".to_string()])
    );
    assert!(r.contains(&res("disks:{c,a}")));
    assert!(!r.contains(&res("disks:{d}")));
    let less = r - res("disks:{a,c}");
    assert_eq!(less.to_string(), "disks:{b}");
    assert!((less - res("disks:{b}")).is_empty());
}

#[test]
fn contains_checks_every_kind_and_amount() {
    let offer = res("cpus:4;mem:1024;cpus(web):1");
    assert!(offer.contains(&res("cpus:4;mem:1024")));
    assert!(offer.contains(&res("cpus(web):1;cpus:2")));
    assert!(!offer.contains(&res("cpus:4.001")));
    assert!(!offer.contains(&res("cpus(web):2")), "roles do not pool");
    assert!(!offer.contains(&res("cpus(db):1")));
    assert!(!offer.contains(&res("gpus:1")));
    assert!(offer.contains(&Resources::new()));
    // Two asks of the same kind count together.
    let twice = Resources::from(vec![
        scalar_resource("mem", 600.0),
        scalar_resource("mem", 600.0),
    ]);
    assert_eq!(twice.mem(), 1200.0);
    assert!(!offer.contains(&twice));
}

#[test]
fn equality_ignores_order() {
    assert_eq!(res("cpus:1;mem:2"), res("mem:2;cpus:1"));
    assert_ne!(res("cpus:1;mem:2"), res("cpus:1;mem:3"));
    assert_ne!(res("cpus:1"), res("cpus(web):1"));
}

#[test]
fn iteration_yields_schema_messages() {
    let r = res("cpus:1;mem:2");
    let names: Vec<&str> = r.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["cpus", "mem"]);
    let owned: Vec<v1::Resource> = r.clone().into_iter().collect();
    assert_eq!(owned.len(), 2);
    assert_eq!(Resources::from_iter(owned), r);
    let by_ref: usize = (&r).into_iter().count();
    assert_eq!(by_ref, 2);
    let ranges_value = res("ports:[1-2]").into_vec().remove(0).ranges;
    assert_eq!(
        ranges_value.map(|r| r.range),
        Some(vec![Range { begin: 1, end: 2 }])
    );
}

#[test]
fn bad_syntax_gives_typed_errors() {
    let cases = [
        ("cpus", ParseErrorKind::MissingColon),
        ("cpus:1:2", ParseErrorKind::MissingColon),
        (":1", ParseErrorKind::EmptyName),
        ("cpus(web:1", ParseErrorKind::MismatchedParentheses),
        ("cpus)web(:1", ParseErrorKind::MismatchedParentheses),
        ("cpus(web)x:1", ParseErrorKind::MismatchedParentheses),
        ("cpus:", ParseErrorKind::EmptyValue),
        ("cpus:abc", ParseErrorKind::InvalidScalar),
        ("cpus:-1", ParseErrorKind::NegativeScalar),
        ("cpus:inf", ParseErrorKind::NegativeScalar),
        ("ports:[1-2", ParseErrorKind::UnclosedBracket),
        ("ports:[5-1]", ParseErrorKind::InvalidRange),
        ("ports:[1-x]", ParseErrorKind::InvalidRange),
        ("ports:[7]", ParseErrorKind::InvalidRange),
        ("ports:[1-2,]", ParseErrorKind::InvalidRange),
        ("disks:{a,b", ParseErrorKind::UnclosedBracket),
        ("disks:{a,,b}", ParseErrorKind::EmptySetItem),
        ("disks:{a,a}", ParseErrorKind::DuplicateSetItem("a".into())),
    ];
    for (text, kind) in cases {
        let error = Resources::parse(text).expect_err(text);
        assert_eq!(error.kind, kind, "{text}");
    }
    let error = Resources::parse("mem:64; cpus(-x):1").unwrap_err();
    assert_eq!(error.entry, "cpus(-x):1");
    assert_eq!(
        error.kind,
        ParseErrorKind::InvalidRole(
            "Role component '-x' is invalid because it starts with a dash".into()
        )
    );
    assert_eq!(
        error.to_string(),
        "bad resource 'cpus(-x):1': invalid role: Role component '-x' is invalid because it \
         starts with a dash"
    );
}
