"""The names of what the county's consolidation finds, for the 县级汇总 page and its workbook (no
imports: naming them loads no openpyxl)."""

PROBLEM_KINDS = {
    "duplicate": "跨校重复资助",
    "duplicate_in_file": "同一文件重复",
    "invalid_id": "证件号无效",
    "id_recovered": "证件号已恢复",
    "total_mismatch": "合计不符",
    "no_account": "缺少卡号",
    "bad_account": "卡号格式不对",
    "other_template": "模板不同",
    "no_total": "无合计行",
    "no_name": "缺少姓名",
    "formula": "可疑公式已改为文字",
}
