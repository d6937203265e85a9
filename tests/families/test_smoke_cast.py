from coparent.records.models import RecordEntry


def test_the_cast_builds_a_family_with_a_record(cast):
    kinds = list(
        RecordEntry.objects.filter(family=cast.family).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[:2] == ["family.created", "member.joined"]
    assert kinds.count("member.joined") == 4
