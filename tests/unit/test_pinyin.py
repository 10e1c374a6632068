"""Names in the order a Chinese class list is read."""

from __future__ import annotations


def test_a_class_list_keeps_every_li_before_every_liu():
    """A roll sorted on the whole pinyin string splits a surname: 李嫣 (liyan) would follow 刘语婷
    (liuyuting). Syllable by syllable, all 李 come first, then 刘; a rare character keeps its place."""
    from aidoffice.domain.pinyin import name_order

    names = ["刘语婷", "李嫣", "李明", "刘一", "单田芳", "𠮷祥瑞"]
    ordered = sorted(names, key=name_order)
    assert ordered.index("李嫣") < ordered.index("刘一") < ordered.index("刘语婷")
    assert ordered[:2] == ["李明", "李嫣"]
    assert "单田芳" in ordered and "𠮷祥瑞" in ordered
