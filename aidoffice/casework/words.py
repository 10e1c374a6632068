"""The words of 控辍保学 that forms and the command line offer as choices (no imports: the command
line's parser reads them without loading the database layer)."""

REASONS = ("厌学/学习困难", "家庭经济", "外出务工", "疾病或残疾", "早婚早育", "其他")
WAYS = ("家访", "电话", "约谈", "其他")
OUTCOMES = ("复学", "送教上门", "转学", "因病缓学", "其他")
