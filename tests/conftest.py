import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def union_tree(db):
    """A union of two societies: society A with head offices H1 (center C1, member m1 holding an
    inclusion record) and H2 (center C2, member m2); society B (center CB, member mB); and a
    member of another union."""
    from tests import factories

    union = factories.UnionFactory(code="jwcu-test")
    society_a = factories.MemberSocietyFactory(union=union, code="society-a")
    society_b = factories.MemberSocietyFactory(union=union, code="society-b")
    h1 = factories.HeadOfficeFactory(society=society_a, code="h1")
    h2 = factories.HeadOfficeFactory(society=society_a, code="h2")
    c1 = factories.BusinessCenterFactory(society=society_a, head_office=h1, code="c1")
    c2 = factories.BusinessCenterFactory(society=society_a, head_office=h2, code="c2")
    cb = factories.BusinessCenterFactory(society=society_b, code="cb")
    m1 = factories.WorkerMemberFactory(
        society=society_a, business_center=c1, member_number="A1", family_name_kana="ヤマダ"
    )
    m2 = factories.WorkerMemberFactory(
        society=society_a,
        business_center=c2,
        member_number="A2",
        family_name_kana="タナカ",
        family_name="田中",
        family_name_latin="Tanaka",
    )
    mb = factories.WorkerMemberFactory(
        society=society_b,
        business_center=cb,
        member_number="B1",
        family_name_kana="スズキ",
        family_name="鈴木",
        family_name_latin="Suzuki",
    )
    other = factories.WorkerMemberFactory(member_number="X1")
    category = factories.InclusionCategoryFactory(code="mental-disability", name="Mental disability (test)")
    factories.MemberInclusionFactory(member=m1, category=category)
    return {
        "union": union, "society_a": society_a, "society_b": society_b, "h1": h1, "h2": h2,
        "c1": c1, "c2": c2, "cb": cb, "m1": m1, "m2": m2, "mb": mb, "other": other, "category": category,
    }  # fmt: skip


@pytest.fixture
def staff_client(union_tree, client):
    """A client signed in as a new user holding ``role`` (a jwcu.models.Role value) in the tree's
    union; ``society``/``head_office`` are keys of union_tree."""
    from django.contrib.auth.models import User

    from jwcu.models import RoleAssignment

    def make(role=None, *, society=None, head_office=None, sensitive=False, superuser=False):
        user = User.objects.create_user(f"user{User.objects.count()}", password="pass-word-123", is_superuser=superuser)
        if role:
            RoleAssignment.objects.create(
                user=user,
                role=role,
                union=union_tree["union"],
                society=union_tree[society] if society else None,
                head_office=union_tree[head_office] if head_office else None,
                sensitive=sensitive,
            )
        client.force_login(user)
        return client

    return make
