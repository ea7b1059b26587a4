import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import RequestFactory

from jwcu.models import Role, RoleAssignment
from jwcu.scope import Scope, contains, scope_of
from members.filters import WorkerMemberFilterSet
from members.models import WorkerMember
from members.selectors import member_queryset
from tests.factories import (
    BusinessCenterFactory,
    HeadOfficeFactory,
    MemberInclusionFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    union = UnionFactory()
    society, other_society = MemberSocietyFactory(union=union), MemberSocietyFactory(union=union)
    head_office, other_head_office = HeadOfficeFactory(society=society), HeadOfficeFactory(society=society)
    center = BusinessCenterFactory(society=society, head_office=head_office)
    other_center = BusinessCenterFactory(society=society, head_office=other_head_office)
    people = {
        "at_head_office": WorkerMemberFactory(society=society, business_center=center, family_name_kana="ヤマダ"),
        "elsewhere_in_society": WorkerMemberFactory(
            society=society, business_center=other_center, family_name_kana="タナカ"
        ),
        "other_society": WorkerMemberFactory(society=other_society, family_name_kana="タナカ"),
        "other_union": WorkerMemberFactory(family_name_kana="タナカ"),
    }
    return {"union": union, "society": society, "head_office": head_office, "people": people}


def user_with(role, tree, *, society=None, head_office=None, sensitive=False):
    user = User.objects.create_user(f"user-{role}-{User.objects.count()}")
    RoleAssignment.objects.create(
        user=user, role=role, union=tree["union"], society=society, head_office=head_office, sensitive=sensitive
    )
    return User.objects.get(pk=user.pk)


def visible(user, tree):
    names = {member.pk: name for name, member in tree["people"].items()}
    return {names[pk] for pk in member_queryset(scope=Scope.for_user(user)).values_list("pk", flat=True)}


def test_each_role_sees_only_its_part_of_the_union(tree):
    admin = user_with(Role.UNION_ADMIN, tree)
    editor = user_with(Role.SOCIETY_EDITOR, tree, society=tree["society"])
    head_office_editor = user_with(Role.HEAD_OFFICE_EDITOR, tree, head_office=tree["head_office"])
    assert visible(admin, tree) == {"at_head_office", "elsewhere_in_society", "other_society"}
    assert visible(editor, tree) == {"at_head_office", "elsewhere_in_society"}
    assert visible(head_office_editor, tree) == {"at_head_office"}
    assert not contains(Scope.for_user(head_office_editor), tree["people"]["elsewhere_in_society"])


def test_viewer_reads_without_writing_and_strangers_see_nothing(tree):
    viewer = Scope.for_user(user_with(Role.VIEWER, tree))
    assert not viewer.can_write
    assert not viewer.sensitive
    assert member_queryset(scope=Scope.for_user(AnonymousUser())).count() == 0
    assert member_queryset(scope=Scope.for_user(User.objects.create_user("no-role"))).count() == 0


def test_inclusion_filter_exists_only_with_the_sensitive_permission(tree):
    inclusion = MemberInclusionFactory(member=tree["people"]["at_head_office"])
    request = RequestFactory().get("/")
    request.user = user_with(Role.UNION_ADMIN, tree, sensitive=True)
    data = {"inclusion_category": inclusion.category.code}
    filterset = WorkerMemberFilterSet(data, member_queryset(scope=scope_of(request)), request=request)
    assert list(filterset.qs) == [tree["people"]["at_head_office"]]

    request.user = user_with(Role.UNION_ADMIN, tree)
    filterset = WorkerMemberFilterSet(data, member_queryset(scope=scope_of(request)), request=request)
    assert "inclusion_category" not in filterset.filters
    assert filterset.qs.count() == 3


def test_member_filters_search_kana_and_refuse_codes_out_of_scope(tree):
    request = RequestFactory().get("/")
    request.user = user_with(Role.SOCIETY_EDITOR, tree, society=tree["society"])
    queryset = member_queryset(scope=scope_of(request))
    found = WorkerMemberFilterSet({"q": "ヤマダ"}, queryset, request=request).qs
    assert list(found) == [tree["people"]["at_head_office"]]
    out_of_scope = tree["people"]["other_society"].society.code
    filterset = WorkerMemberFilterSet({"society": out_of_scope}, queryset, request=request)
    assert not filterset.is_valid()
    assert "society" in filterset.errors


def test_active_on_filter_uses_the_boundary_days(tree):
    member = tree["people"]["at_head_office"]
    WorkerMember.objects.filter(pk=member.pk).update(left_on=datetime.date(2015, 4, 1))
    request = RequestFactory().get("/")
    request.user = user_with(Role.HEAD_OFFICE_EDITOR, tree, head_office=tree["head_office"])
    queryset = member_queryset(scope=scope_of(request))
    assert WorkerMemberFilterSet({"active_on": "2015-03-31"}, queryset, request=request).qs.count() == 1
    assert WorkerMemberFilterSet({"active_on": "2015-04-01"}, queryset, request=request).qs.count() == 0


def test_filter_choices_are_named_in_the_active_language(tree):
    from django.utils import translation

    society = tree["society"]
    society.name_ja = "東京の協同組合"
    society.save()
    request = RequestFactory().get("/")
    request.user = user_with(Role.UNION_ADMIN, tree)
    filterset = WorkerMemberFilterSet({}, member_queryset(scope=scope_of(request)), request=request)
    with translation.override("ja"):
        labels = [label for _value, label in filterset.form.fields["society"].choices]
    assert "東京の協同組合" in labels
    with translation.override("en"):
        labels = [label for _value, label in filterset.form.fields["society"].choices]
    assert society.name in labels
