"""The rewrite's post-conditions reject what they must, and accept the layouts they must."""

from __future__ import annotations

import ast
from textwrap import dedent

import pytest

from fixer.plan import Action, Plan, Target
from fixer.verify import check_kept_reads, check_lines_preserved, moved_region


def plan_of(actions: str, target: Target = Target.NEW_MAIN) -> Plan:
    return Plan(actions=tuple(Action.MOVE if a == "M" else Action.KEEP for a in actions), target=target)


def test_kept_code_reading_a_moved_name_is_rejected() -> None:
    tree = ast.parse("from multiprocessing import Manager\nm = Manager()\nq = m.Queue()\n")
    assert check_kept_reads(tree, plan_of("KMK")) == (
        "line 3 stays at module level but reads 'm', which only the moved code binds"
    )
    assert check_kept_reads(tree, plan_of("KMM")) == ""


def test_kept_call_of_a_function_reading_a_moved_name_is_rejected() -> None:
    src = dedent(
        """\
        def build():
            return pool.map(abs, [1])
        pool = make()
        table = build()
        """
    )
    assert "reads 'pool'" in check_kept_reads(ast.parse(src), plan_of("KMK"))


def test_a_name_that_kept_code_also_binds_is_fine() -> None:
    tree = ast.parse("x = 1\nx = compute()\nprint(x)\n")
    assert check_kept_reads(tree, plan_of("KMK")) == ""


def test_triple_quoted_lines_of_kept_and_moved_code_are_told_apart() -> None:
    # A kept function's "    '''" must not be taken for the moved "'''" one level deeper
    # (seen on a real script: exit 123, "a line that is not in the input").
    old = dedent(
        """\
        def f():
            '''Doc.
            '''
            return 1
        x = '''
        a
        '''
        """
    )
    new = dedent(
        """\
        def f():
            '''Doc.
            '''
            return 1
        def main():
            global x
            x = '''
        a
        '''
        if __name__ == "__main__":
            main()
        """
    )
    plan = Plan(actions=(Action.KEEP, Action.MOVE), target=Target.NEW_MAIN, global_names=("x",))
    region = moved_region(ast.parse(new), plan)
    assert region == frozenset(range(6, 10))
    assert check_lines_preserved(old, new, "    ", frozenset({5, 6, 7}), region) == ""


def test_a_moved_line_outside_main_is_rejected() -> None:
    old = "import os\nprint(1)\n"
    new = "import os\nprint(1)\ndef main():\n    pass\nif __name__ == '__main__':\n    main()\n"
    problem = check_lines_preserved(old, new, "    ", frozenset({2}), frozenset({4}))
    assert problem == "the rewrite contains a line that is not in the input: 'print(1)'"


@pytest.mark.parametrize(
    "between",
    [
        "    # as deep as the block\n",
        "        # deeper than the block\n",
        "  # shallower than the block\n",
        "# at column 0\n    # then as deep as the block\n",
        "    # first\n\n    # second\n# third, for the call\n",
        "\n    # after a blank line\n\n",
    ],
)
def test_comments_between_a_kept_function_and_a_moved_call_are_kept_or_moved(between: str) -> None:
    """libcst gives the comments after a block's last statement to the block, up to the last
    one as deep as the block, and the rest to the next statement: the rewrite keeps the first
    with the function and moves the others with the call. Either place is sound, and the
    line check accepts both (it used to reject the first, and the fix failed with exit 123)."""
    from fixer.model import Status
    from fixer.pipeline import process_source

    source = "from multiprocessing import Pool\n\n\ndef f(x):\n    p = Pool(2)\n    p.map(abs, [x])\n" + between + "f(1)\n"
    result = process_source(source.encode())
    assert result.status is Status.FIXED, result
    new_text = result.new_source.decode()
    new_lines = [line.strip() for line in new_text.splitlines()]
    for line in between.splitlines():
        if line.strip():
            assert line.strip() in new_lines
    assert 'if __name__ == "__main__":\n' in new_text and new_text.endswith("\n    f(1)\n")


def test_a_footer_comment_still_cannot_be_dropped() -> None:
    """The comments that may be kept or moved must still be there."""
    old = "def f():\n    pass\n    # note\nf()\n"
    plan = plan_of("KM", Target.NEW_INLINE)
    new = 'def f():\n    pass\n\n\nif __name__ == "__main__":\n    f()\n'
    tree = ast.parse(old)
    from fixer.verify import footer_comment_lines, moved_line_numbers

    either = footer_comment_lines(old, tree, plan)
    assert either == frozenset({3})
    region = moved_region(ast.parse(new), plan, len(new.splitlines()))
    problem = check_lines_preserved(old, new, "    ", moved_line_numbers(tree, plan), region, {}, either)
    assert problem == "the rewrite lost a line of the input: '# note'"
