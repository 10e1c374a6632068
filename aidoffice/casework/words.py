"""The words of 控辍保学 that forms and the command line offer as choices, and the names of a case's
sources and actions (no imports: the command
line's parser reads them without loading the database layer)."""

REASONS = ("厌学/学习困难", "家庭经济", "外出务工", "疾病或残疾", "早婚早育", "其他")
WAYS = ("家访", "电话", "约谈", "其他")
OUTCOMES = ("复学", "送教上门", "转学", "因病缓学", "其他")

SOURCE_NAMES = {"ledger": "学籍台账标记辍学", "finding": "比对发现（需核实去向）", "manual": "手工登记"}
ACTION_KIND_NAMES = {
    "open": "立案",
    "act": "劝返",
    "notice": "发出通知书",
    "escalate": "上报",
    "close": "结案",
    "reopen": "再次立案",
}
