"""1222宣传材料 page, one module per tab: letters_tab (告知书), history_tab (生成记录), template_tab (模板,
with the pdfium preview), board_tab (海报、公示与迎检), classes_tab (两节课), contacts_tab (电话与设置);
page.py builds them into one page."""

from ui.pages.publicity.page import PublicityPage

__all__ = ["PublicityPage"]
