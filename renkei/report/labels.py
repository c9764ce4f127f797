"""Japanese labels shared by the renderers."""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {
    "program_added": "新規事業",
    "program_removed": "終了事業",
    "program_renamed": "名称変更",
    "partner_added": "連携相手方の追加",
    "partner_removed": "連携相手方の削除",
    "program_changed": "内容の変更",
    "municipality_linked": "新たな連携自治体",
    "municipality_unlinked": "連携が終了した自治体",
}
# Report sections, in reading order (partner additions and removals share one section).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("新規事業", ("program_added",)),
    ("終了事業", ("program_removed",)),
    ("名称変更", ("program_renamed",)),
    ("連携相手方の変更", ("partner_added", "partner_removed")),
    ("内容の変更", ("program_changed",)),
    ("新たな連携自治体", ("municipality_linked",)),
    ("連携が終了した自治体", ("municipality_unlinked",)),
)
FIELD_LABELS: dict[str, str] = {
    "category": "連携カテゴリ",
    "category_tags": "連携カテゴリ",
    "body": "事業主体",
    "content": "事業内容",
    "start": "事業開始年度",
}
