"""Word lists for search: how citizens say things, mapped to how the catalog says them.

General knowledge of Mandarin, Cantonese and English usage, written per concept (never per matter
or per query): colloquial words for the catalog's official terms, shape-similar characters people
type by mistake, question frames that carry no topic, and British/American spellings.
Phrases may be written in Simplified or Traditional characters: `text.py` normalises them on load.
"""

from __future__ import annotations

# Colloquial Chinese (Mandarin and Cantonese) -> the catalog's wording, appended to a text that
# contains the phrase. Key: the catalog's term(s); value: space-separated everyday phrases.
CHINESE_SYNONYMS: dict[str, str] = {
    # Life events.
    "死亡 身后": "过身 过咗身 去世 过世 离世 逝世 身故 病逝 死咗 死了 走咗 走了 仙游 百年归老 辞世 人没了 不在了",
    "殡葬 身后": "后事 白事 丧事 葬礼 丧礼 出殡 火葬 办丧事 殡仪",
    "出生 新生儿": "生咗 生了孩子 生孩子 生小孩 生宝宝 生娃 生仔 生女 生bb 出世 添丁 刚生 生完 坐月子 宝宝出生 孩子出生",
    "怀孕": "有咗 大肚 有喜 怀咗 怀上",
    "结婚": "摆酒 注册结婚 拉埋天窗 领证 扯证 娶老婆 嫁人 成家 新婚 婚礼 摆喜酒 讨老婆 娶妻 出嫁 登记结婚",
    "离婚": "闹离婚 分手离婚 办离婚",
    "餐厅 餐饮": "茶餐厅 餐馆 饭馆 饭店 酒楼 食肆 奶茶店 咖啡店 咖啡馆 火锅店 面馆 粉店 快餐店 小食店 甜品店 烧烤店 大排档 "
    "外卖店 糖水铺 饮品店 茶饮店 面包店 烘焙店 小吃店 饺子馆 麻辣烫 茶楼 饭堂 私房菜 早餐店 肠粉店 粥店",
    "便利店": "士多 小卖部 杂货铺 杂货店 小超市 烟酒店 士多店 报刊亭 零食店 副食店 百货店 小卖铺",
    "二手房 买房": "二手楼 二手屋 二手房子 买楼 买屋 买房子 置业 上车盘 买咗层楼 买咗楼 购房 购买住房 买咗层 买了套房",
    "房产证": "楼契 屋契 房本 红本 房契 房产本 不动产证",
    "买车 新车": "提车 买咗架车 买新车 购车 买咗车 买了车 买了辆车 新买的车",
    "退休": "退咗休 退休年龄 到退休 退休后 退休了",
    "入学": "读小一 上小学 上一年级 一年级 小一 幼升小 返学 报读 入读 读书 上学 升小学 插班生",
    "落户 入户": "迁户口 拿户口 户口迁入 户口落 入户口 落户口 迁入户口",
    "毕业生": "应届生 应届毕业 刚毕业 毕业了 毕业咗 研究生毕业 大学毕业",
    # People.
    "父母": "老豆 老窦 阿爸 老爸 爸爸 我爸 父亲 老母 阿妈 老妈 妈妈 我妈 母亲 爹地 妈咪",
    "老人": "老人家 爷爷 奶奶 外婆 外公 阿嫲 阿爷 公公 婆婆 长辈 老爷子 老太太 老年人",
    "儿童 孩子": "细路 细路仔 小朋友 细蚊仔 仔女 小孩子 娃娃 孩子们 儿子 女儿 个仔 个女",
    "婴儿 宝宝": "bb仔 bb女 初生婴儿 婴儿仔 bb宝 bb",
    "家里": "屋企 屋里",
    "配偶 夫妻": "老公 老婆 丈夫 妻子 太太 先生 另一半",
    "老板": "老细 老板娘 事头",
    # Work.
    "就业 求职": "搵工 揾工 找工作 揾嘢做 搵嘢做 求职 应聘",
    "失业": "裁了 裁咗 炒了 冇工开 炒鱿鱼 被炒 炒咗 被裁 裁员 被辞退 冇咗份工 丢了工作 丢咗份工 没工作 没了工作 下岗",
    "工资 欠薪": "人工 出粮 拖粮 工钱 薪水 薪金 冇粮出 不发工资 唔出粮 欠工资 拖欠工资",
    "上班 工伤": "返工受伤 开工受伤 做嘢受伤 上班受伤 工作受伤 工地受伤",
    "上班": "返工 做嘢 开工做嘢",
    # Certificates and cards.
    "身份证": "身分证 身证 id卡 身份卡",
    "驾驶证 驾照": "驾驶执照 揸车牌 考车牌 学车牌 车牌考试 驾驶牌照",
    "行驶证": "行车证 车本",
    "港澳通行证": "双程证 港澳通 去香港 去澳门 返香港 到香港 赴港 过香港 去港澳 回港 港澳证",
    "香港": "港人",
    "居住证": "暂住证 住证",
    "营业执照": "商业登记 生意执照 开业执照 营业证 牌照 执照",
    "许可证": "牌照 批文",
    "出生医学证明": "出世纸 出生纸 出生证",
    "结婚证": "结婚纸 婚书 结婚证书",
    "死亡证明": "死亡证 死亡纸",
    "无犯罪记录证明": "良民证 无犯罪证明 行为纪录证明 无犯罪纪录",
    "预防接种": "打针 针卡 疫苗本 打疫苗",
    "不动产 房产": "物业 楼宇 房子 层楼 间屋",
    "按揭 贷款": "供楼 房贷 借钱买楼",
    "租房": "租屋 租楼 租房子 租住",
    "公租房": "公屋 廉租屋",
    # Money and insurance.
    "养老金": "退休金 长俸 长粮 养老钱 老人金 退休工资",
    "住房公积金": "公积金 公积 公基金",
    "社保 社会保险": "社会保险 社保卡 劳保",
    "医保 医疗保险": "医疗保险 医保卡 医疗卡 看病报销",
    "就医 看病": "睇医生 睇病 看医生 睇医 求医",
    "异地就医": "回老家看病 外地看病 回乡看病 异地看病 外省看病 跨省看病 回老家就医 返乡看病 在外地住院 外地住院",
    "高龄 老人": "八十岁 八十几岁 八十多岁 九十岁 九十多岁 80岁 80多岁 90岁 百岁 长寿",
    "户口 户籍": "户籍 户口本 户口簿 户藉",
    "纳税 税务": "报税 交税 税单 缴税",
    # Losing, renewing, registering.
    "遗失 补领": "唔见 丢了 丢咗 跌咗 掉了 弄丢 不见了 搞丢 冇咗 被偷 俾人偷 偷了 丢失 跌咗 唔见咗 遗漏",
    "换领 续期": "续期 续证 续牌 换新 更新 到期",
    "签注": "续签 加签 签证续期",
    "领取": "攞 拿钱",
    "注册公司": "开公司 搞间公司 成立公司 开间公司 注册个公司 开个公司",
    "个体工商户": "个体户 自雇 做小生意 摆摊",
}

# Latin-letter abbreviations that stand for Chinese terms inside a Chinese query ("sfz过期", "hk签注").
LATIN_IN_CHINESE: dict[str, str] = {"id": "身份证", "hk": "港澳", "mo": "港澳", "tw": "台湾", "bb": "宝宝"}

# Words that only frame a Chinese question ("how do I", "what do I need"): not what it is about.
QUESTION_FRAMES = (
    "怎么弄 怎么搞 怎么样 怎样 怎么 如何 需要 需不需要 要不要 什么 啥 哪些 哪里 在哪 哪个 多少 几多 能不能 可不可以 有没有 有无 是不是 会不会 能否 能用 可唔可以 得唔得 "
    "可以 是否 请问 你好 我想 我要 想要 我们 我哋 点样 点算 点办 点搞 乜嘢 乜 咩 边度 边个 几时 有冇 系咪 係咪 使唔使 "
    "要唔要 唔该 应该 一下 一些 相关 手续 流程 程序 办理 办啥 要办 去办 我 要 想 "
).split()

# Particles and aspect markers: grammar, never content (dropped from the Chinese grams).
PARTICLES = "咗啲嘅喺咩呢吗嘛吧啊呀啦喇㗎喎噃咯囉哦哇呐啰哈嗎"

# Shape-similar characters people type by mistake; each group's members may stand for each other
# when the catalog has the corrected word and not the typed one.
CONFUSABLE_GROUPS = (
    "帐账 侯候 己已巳 籍藉 辨辩辫办 证正征 未末 戊戌戍 拨拔 折拆 历厉 贷货 既即 象像 副付 赡瞻 遗遣 验检险 "
    "驶使 驾架 照昭 婚昏 失矢 记计 保宝 金经 住注 生声 户护沪 补朴 领岭 换唤 续读 签鉴 残浅 缴檄 纳呐 "
    "执热 税锐 契挈 免兔 祟崇 券卷 冶治 亨享 徒徙 刺剌 暂晢 密蜜 睛晴 请清情 须需 座坐 做作 在再 带戴 "
    "廷延 澳奥 港巷 疫役 苗描 揭竭 贴帖 津律 籍耤 营宫 牌脾 登澄 册删 审宙 批比 查渣 营萤 载裁栽 "
    "拒柜 项顶 处外 准淮 聘骋 低底 抵扺 押钾 殡缤 葬莽 丧丢 遗溃 抚扰 恤血 赔陪 偿尝 裁栽 迁迂"
).split()

# British and American spellings, and irregular forms the stemmer does not fold (-> one form).
ENGLISH_SPELLINGS: dict[str, str] = {
    "license": "licence", "licenses": "licences", "licensed": "licenced", "licensing": "licencing",
    "enroll": "enrol", "enrolls": "enrols", "enrollment": "enrolment", "enrollments": "enrolments",
    "labor": "labour", "center": "centre", "centers": "centres", "program": "programme",
    "programs": "programmes", "practice": "practise", "practicing": "practising", "defense": "defence",
    "catalog": "catalogue", "fulfill": "fulfil", "traveling": "travelling", "traveler": "traveller",
    "canceled": "cancelled", "canceling": "cancelling", "honor": "honour", "neighbor": "neighbour",
    "neighborhood": "neighbourhood", "color": "colour", "favor": "favour", "pediatric": "paediatric",
    "check": "check", "cheque": "check", "mold": "mould", "tire": "tyre", "tires": "tyres",
    "gray": "grey", "jewelry": "jewellery", "aging": "ageing", "judgment": "judgement",
    "mom": "mum", "moms": "mums", "macau": "macao", "hongkong": "hong kong",
    "children": "child", "kids": "child", "kid": "child", "wives": "wife", "people": "person",
    "bought": "buy", "sold": "sell", "paid": "pay", "went": "go", "gone": "go", "began": "begin",
    "ran": "run", "drove": "drive", "driven": "drive", "wrote": "write", "hurt": "injury",
}  # fmt: skip
# -ize/-ise and -yze/-yse: American to British (both stems then agree).
ENGLISH_SUFFIXES = (("ization", "isation"), ("izations", "isations"), ("ize", "ise"), ("izes", "ises"),
                    ("ized", "ised"), ("izing", "ising"), ("yze", "yse"), ("yzed", "ysed"))  # fmt: skip

# Multi-word English phrases -> the catalog's word(s) (matched on whole words, after spelling folds).
ENGLISH_PHRASES: dict[str, str] = {
    "passed away": "death", "pass away": "death", "passes away": "death", "passing away": "death",
    "lost my job": "unemployment", "lost job": "unemployment", "laid off": "unemployment",
    "got fired": "unemployment", "made redundant": "unemployment", "out of work": "unemployment",
    "driver licence": "driving licence", "drivers licence": "driving licence",
    "had a baby": "birth", "have a baby": "birth", "having a baby": "birth", "gave birth": "birth",
    "give birth": "birth", "giving birth": "birth", "new baby": "birth", "baby born": "birth",
    "getting married": "marriage", "get married": "marriage", "got married": "marriage",
    "second hand": "resale", "pre owned": "resale", "used flat": "resale flat",
    "corner shop": "convenience store", "corner store": "convenience store", "mini mart": "convenience store",
    "grocery store": "convenience store", "grocery shop": "convenience store", "snack shop": "convenience store",
    "coffee shop": "restaurant", "tea shop": "restaurant", "bubble tea": "restaurant", "milk tea": "restaurant",
    "food stall": "restaurant", "noodle shop": "restaurant", "fast food": "restaurant",
    "new car": "buy car", "car purchase": "buy car", "not paid": "unpaid wages", "not pay": "unpaid wages",
    "has not paid": "unpaid wages", "owes me": "unpaid wages", "owe me": "unpaid wages",
    "wage arrears": "unpaid wages", "go to": "visit", "travel to": "visit", "trip to": "visit", "id card": "identity card", "identification card": "identity card",
    "at work": "work injury", "on the job": "work injury", "primary one": "primary school",
    "first grade": "primary school", "grade one": "primary school", "elementary school": "primary school",
    "two way permit": "two-way permit", "home return permit": "two-way permit",
}  # fmt: skip

# Everyday English words -> the catalog's wording (one word each).
ENGLISH_SYNONYMS: dict[str, str] = {
    "died": "death", "dies": "death", "dead": "death", "deceased": "death", "funeral": "death",
    "bereavement": "death", "baby": "birth", "born": "birth", "newborn": "birth", "infant": "birth",
    "fired": "unemployment", "sacked": "unemployment", "laid": "unemployment", "redundant": "unemployment",
    "jobless": "unemployment", "unemployed": "unemployment",
    "wedding": "marriage", "marry": "marriage", "married": "marriage", "marrying": "marriage",
    "fiance": "marriage", "fiancee": "marriage", "engaged": "marriage",
    "lost": "replacement", "stolen": "replacement", "retire": "retirement", "retiring": "retirement",
    "retired": "retirement", "retiree": "retirement", "hukou": "household", "child": "child",
    "son": "child", "daughter": "child", "toddler": "child",
    "dad": "parent", "daddy": "parent", "father": "parent", "papa": "parent", "mum": "parent",
    "mummy": "parent", "mommy": "parent", "mother": "parent", "parents": "parent",
    "grandma": "elderly", "grandpa": "elderly", "grandmother": "elderly", "grandfather": "elderly",
    "granny": "elderly", "grandparent": "elderly", "grandparents": "elderly", "seniors": "elderly",
    "husband": "spouse", "wife": "spouse", "partner": "spouse",
    "apartment": "flat", "condo": "flat", "condominium": "flat",
    "automobile": "car", "auto": "car", "store": "shop", "shops": "shop", "stores": "shop",
    "cafe": "restaurant", "hotpot": "restaurant", "eatery": "restaurant", "diner": "restaurant",
    "bistro": "restaurant", "bakery": "restaurant", "canteen": "canteen", "takeaway": "restaurant",
    "minimart": "convenience", "grocery": "convenience", "kiosk": "convenience",
    "hk": "hong kong", "id": "identity", "ids": "identity", "extend": "renew", "extension": "renew", "renewal": "renew", "salary": "wages",
    "wage": "wages", "boss": "employer", "injured": "injury", "enrol": "enrol",
    "unpaid": "unpaid", "pregnant": "pregnancy", "expecting": "pregnancy",
}  # fmt: skip

# Valid pinyin syllables (without tones): Latin input is split into these to match by sound.
PINYIN_SYLLABLES = frozenset(
    """a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen
    ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong
    cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian diao die ding diu dong dou du duan dui dun duo e
    ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan
    guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian
    jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan
    kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan
    lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao
    ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao
    pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
    ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan
    shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo
    ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo
    wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu
    yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu
    zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo""".split()
)
