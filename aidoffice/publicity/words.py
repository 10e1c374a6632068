"""The words of the 1222 materials that other packages name them by (the 操作记录 page, the slip
desk): no imports, so naming them loads neither reportlab nor openpyxl."""

ANSWERS = {"policy": ("apply", "decline"), "aid": ("agree", "object")}  # the boxes of each slip
ANSWER_NAMES = {"apply": "符合、申请", "decline": "不符合、不申请", "agree": "无异议", "object": "有异议"}

ENTRY, LEAVING = "entry", "leaving"
SESSION_NAMES = {ENTRY: "入学教育课", LEAVING: "毕业前政策课"}
