"""Chinese word lists: everyday and Cantonese words for the catalog's terms, life events, question
frames, particles, shape-similar characters, pinyin syllables. Simplified or Traditional characters
(normalised on load); lists are space-separated."""

from __future__ import annotations

CHINESE_SYNONYMS: dict[str, str] = {
    # Life events.
    "死亡 身后": "过身 过咗身 去世 过世 离世 逝世 身故 病逝 死咗 死了 走咗 走了 仙游 百年归老 辞世 人没了 不在了 "
    "先人 先父 先母 亡父 亡母",
    "殡葬 身后": "后事 白事 丧事 葬礼 丧礼 出殡 火葬 办丧事 殡仪",
    "出生 新生儿": "生咗 生了个 生咗个 生了一个 生了女儿 生了儿子 生咗仔 生咗女 生了孩子 生孩子 生小孩 生宝宝 生娃 "
    "生仔 生女 生bb 出世 添丁 刚生 生完 坐月子 满月 宝宝出生 孩子出生 生下来 生出来 刚出生",
    "怀孕": "有咗 大肚 有喜 怀咗 怀上",
    "结婚": "摆酒 注册结婚 拉埋天窗 领证 扯证 娶老婆 嫁人 成家 新婚 婚礼 摆喜酒 讨老婆 娶妻 出嫁 登记结婚",
    "餐厅 餐饮": "茶餐厅 餐馆 饭馆 饭店 酒楼 食肆 奶茶店 咖啡店 咖啡馆 火锅店 面馆 粉店 快餐店 小食店 甜品店 烧烤店 "
    "大排档 外卖店 糖水铺 饮品店 茶饮店 面包店 烘焙店 小吃店 饺子馆 麻辣烫 茶楼 私房菜 早餐店 肠粉店 粥店 "
    "烧腊铺 烧腊店 烧味铺 烧味店 烧腊 烧味 堂食 粥铺 食铺",
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
    "儿童 孩子": "细路 细路仔 小朋友 细蚊仔 仔女 小孩子 娃娃 孩子们 儿子 女儿 个仔 个女 娃",
    "婴儿 宝宝": "bb仔 bb女 初生婴儿 婴儿仔 bb",
    "家里": "屋企 屋里",
    "配偶 夫妻": "老公 老婆 丈夫 妻子 太太 另一半",
    "老板": "老细 老板娘 事头",
    # Work.
    "就业 求职": "搵工 揾工 找工作 揾嘢做 搵嘢做 求职 应聘",
    "失业": "揾唔到工 搵唔到工 找不到工作 冇工做 裁了 裁咗 炒了 冇工开 炒鱿鱼 被炒 炒咗 被裁 裁员 被辞退 冇咗份工 "
    "丢了工作 丢咗份工 没工作 没了工作 下岗 份工冇咗 工作没了 冇咗工 辞退了 辞退咗 被开除 开除了 被解雇 解雇了",
    "工资 欠薪": "出粮 拖粮 工钱 薪水 薪金 冇粮出 不发工资 唔出粮 欠工资 拖欠工资",
    "上班 工伤": "返工受伤 开工受伤 做嘢受伤 上班受伤 工作受伤 工地受伤",
    "上班": "返工 做嘢 开工做嘢",
    # Certificates, cards and licences.
    "身份证": "身分证 id卡 身份卡",
    "驾驶证 驾照": "驾驶执照 揸车牌 车牌考试 驾驶牌照",
    "初次 驾驶证 驾照": "学车 学揸车 考车牌 学车牌 考牌",
    "行驶证": "行车证 车本",
    "港澳居民 通行证": "回乡证 回乡卡",
    "港澳通行证": "双程证 港澳通 去香港 去澳门 返香港 到香港 赴港 过香港 去港澳 回港 港澳证",
    "香港": "港人",
    "签注": "续签 加签 签证续期",
    "居住证": "暂住证",
    "居住": "住喺 住在 定居 长住 喺广州住 在广州住",
    "营业执照": "商业登记 生意执照 开业执照 营业证",
    "出生医学证明": "出世纸 出生纸 出生证",
    "结婚证": "结婚纸 婚书 结婚证书",
    "死亡证明": "死亡证 死亡纸",
    "无犯罪记录证明": "良民证 无犯罪证明 行为纪录证明 无犯罪纪录",
    "预防接种": "打针 针卡 疫苗本 打疫苗",
    # Homes.
    "不动产 房产": "物业 楼宇 房子 层楼 间屋",
    "按揭 贷款": "供楼 房贷 借钱买楼",
    "租房": "租屋 租楼 租房子 租住",
    # Money, insurance and health.
    "养老金": "退休金 长俸 长粮 养老钱 老人金 退休工资",
    "住房公积金": "公积金 公基金",
    "社保 社会保险": "社会保险 劳保",
    "医保 医疗保险": "医疗保险 看病报销 健保 健康保险",
    "参保": "投保 买保险 上保险",
    "医保 账户": "医保户口",
    "社保 账户": "社保户口",
    "公积金 账户": "公积金户口",
    "余额": "剩低啲钱 剩低的钱 剩下的钱 剩余的钱 余下的钱 仲有钱 还有钱",
    "报销 垫付": "报掉 报返 垫了钱 垫咗钱 先垫钱 自己垫钱",
    "社保卡": "医保卡 医疗卡",
    "就医 看病": "睇医生 睇病 看医生 睇医 求医",
    "异地就医": "回老家看病 外地看病 回乡看病 异地看病 外省看病 跨省看病 回老家就医 返乡看病 在外地住院 外地住院 "
    "外省住院 省外住院 跨省住院 外省就医",
    "高龄 老人": "八十岁 八十几岁 八十多岁 九十岁 九十多岁 80岁 80多岁 90岁 百岁 长寿 "
    + " ".join(f"{age}岁 {age}多岁 {age}几岁" for age in range(80, 110, 10))
    + " "
    + " ".join(f"{age}岁" for age in range(80, 110)),
    "户口 户籍": "户籍 户口本 户口簿 户藉",
    "纳税 税务": "报税 交税 税单 缴税",
    # What people do with papers.
    "遗失 补领": "唔见 唔见咗 丢了 丢咗 跌咗 掉了 弄丢 不见了 搞丢 冇咗 被偷 俾人偷 偷了 丢失",
    "换领 续期": "续期 续证 续牌 换新 更新 到期",
    "领取": "攞 拿钱 攞返 拿返 领返 取返 拿回",
    "创业": "自己做老板 做老板 当老板 自己当老板 自主创业 自己创业",
    "继承 遗产": "留低 遗下 遗留 留给我 留下来的",
    "过户 转移": "转落我名下 转到我名下 转名 过名",
    "残疾": "看不见 睇唔见 听不见 听唔到 失明 失聪 瘫痪 瘫咗 瞎了 聋了 聋哑 截肢 坐轮椅 智力障碍 视力障碍",
    "养老院 养老机构": "老人院 安老院 敬老院 护老院 老人之家",
    "演出": "开骚 搞骚 做骚 开演唱会 搞演出 办演出 商演",
    "突发 困难 救助": "失火 着火 火灾 被烧 烧光 水浸 水灾 受灾 遭灾 天灾 车祸 过不下去 揭不开锅 冇钱开饭 没钱吃饭 "
    "活不下去",
    "医师": "医生 大夫",
    "乡村医生": "村医 乡医",
    "内地": "大陆",
    "注册公司": "开公司 搞间公司 成立公司 开间公司 注册个公司 开个公司",
    "个体工商户": "个体户 自雇 做小生意 摆摊",
    # More Cantonese and everyday Mandarin.
    "离婚": "老公离 老婆离 丈夫离 妻子离 先生离 太太离 两公婆离 两口子离 夫妻离 离咗婚 离了婚 要离了 想离了 "
    "分开咗 闹分手 散伙 唔想过 不想过了 闹离婚 办离婚",
    "未婚 单身": "没结过婚 未结过婚 冇结过婚 没有结过婚 没结婚 冇结婚 未结婚 还没结婚 仲未结婚 单身狗 光棍",
    "餐饮 餐厅": "茶记 冰室 菜馆 湘菜馆 川菜馆 粤菜馆 东北菜馆 西餐厅 西餐馆 日料店 料理店 韩料店 酒家 烧烤档 小炒店 "
    "卤味店 牛杂店 云吞面 米粉店 螺蛳粉 炸鸡店 汉堡店 披萨店 餐吧 饮食业 饮食店 食店 私房菜馆 点心 大牌档",
    "KTV 娱乐场所": "K房 卡拉OK 唱K 歌厅 卡拉ok房",
    "育儿补贴": "3600蚊 三千六 生仔津贴 育儿津贴 bb津贴 生bb津贴",
    "老年人免费乘车 长者卡": "免费搭车 免费搭巴士 免费坐公交 免费坐车 搭巴士免费 坐公交免费 免费搭地铁 搭车免费",
    "公租房": "轮候公屋 政府出租嘅屋 政府出租的房子 轮候政府屋 "
    "公屋 廉租屋 政府的房子 政府房子 政府房 政府屋 政府楼 政府的楼 平租屋 廉租 保障房 住房保障 公屋单位",
    "店铺": "铺头 舖头 铺位 档口 门店 门面 铺面 店面",
    "驾驶证": "车牌过期 车牌到期 续车牌 香港车牌 揸车 渣车",
    "工资": "人工 粮期 冇人工 欠人工 拖人工 工钱",
    "家人": "屋企人 家里人 屋里人 家属",
    "非户籍 外地 随迁": "唔系广州户口 不是广州户口 没有广州户口 冇广州户口 外地户口 非广州户口 外省户口 农村户口",
    "汽车 小客车": "私家车 私家车牌 小车 轿车",
    "派出所 公安": "差馆 警署 警局 差佬",
    "律师": "打官司 请律师 告人",
    "电梯": "升降机",
    "转学": "转校 转去别的学校 转到别的学校 转去另一间学校 换学校 换间学校 换个学校 转学校",
    "解押 注销 抵押": "还完 还清 还晒 还光 供完 供晒 供断 甩按",
    "受伤": "整亲 撞亲 跌亲 弄伤 扭伤 摔伤 砸伤 骨折 整伤 伤咗",
}
"""Everyday Chinese (Mandarin and Cantonese) -> the catalog's wording: the catalog's term(s) -> phrases."""


LATIN_IN_CHINESE: dict[str, str] = {"id": "身份证", "hk": "港澳", "mo": "港澳", "tw": "台湾", "bb": "宝宝"}
"""Latin-letter abbreviations that stand for Chinese terms inside a Chinese query ("id卡", "hk签注")."""


QUESTION_FRAMES = (
    "怎么弄 怎么搞 怎么样 怎样 怎么 如何 需要 需不需要 要不要 什么 啥 哪些 哪里 在哪 哪个 多少 几多 能不能 "
    "可不可以 有没有 有无 是不是 会不会 能否 能用 可唔可以 得唔得 可以 是否 请问 你好 我想 我要 想要 我们 我哋 "
    "点样 点算 点办 点搞 乜嘢 乜 咩 边度 边个 几时 有冇 系咪 使唔使 要唔要 唔该 应该 一下 一些 相关 处理 手续 "
    "流程 程序 办理 办啥 要办 去办 我 要 想 点整 点搞 搞掂 几钱 几耐 要几耐 使乜 要乜 边度办 去边度 点申请"
)
"""Words that only frame a Chinese question ("how do I", "what do I need"): not what it is about."""


PARTICLES = "了咗啲嘅喺咩呢吗嘛吧啊呀啦喇㗎喎噃咯囉哦哇呐啰哈"
"""Particles and aspect markers: grammar, never content (they split the Chinese grams)."""


CONFUSABLE_GROUPS = (
    "帐账 侯候 己已巳 籍藉 辨辩辫办 证正征 未末 戊戌戍 拨拔 折拆 历厉 贷货 既即 象像 副付 赡瞻 遗遣溃 验检险 "
    "驶使 驾架 照昭 婚昏 失矢 记计 保宝 金经 住注 生声 户护沪 补朴 领岭 换唤 续读 签鉴 残浅 缴檄 纳呐 执热 "
    "税锐 契挈 免兔 祟崇 券卷 冶治 亨享 徒徙 刺剌 暂晢 密蜜 睛晴 请清情 须需 座坐 做作 在再 带戴 廷延 澳奥 "
    "港巷 疫役 苗描 揭竭 贴帖 津律 营宫萤 牌脾 登澄 册删 审宙 批比 查渣 载裁栽 拒柜 项顶 准淮 聘骋 低底 "
    "抵扺 押钾 殡缤 葬莽 丧丢 抚扰扶 恤血 格隔阁 赔陪 偿尝 迁迂"
)
"""Shape-similar characters people type for each other (a typo is undone only where the catalog has
the corrected word next to the same neighbour and not the typed one)."""


LIFE_EVENTS: dict[str, tuple[str, str]] = {
    "death": ("死亡 身后 去世 殡葬 后事", "death"),
    "birth": ("出生 新生儿 生孩子 生小孩", "birth"),
    "marriage": ("结婚", "marriag"),
    "restaurant": ("餐厅 餐饮 饭店", "restaur"),
    "shop": ("便利店 小卖部", "conveni"),
    "home": ("二手房 买房 购房", "resal buy+home buy+properti"),
    "car": ("买车 新车 购车", "buy+car buy+vehicl"),
    "retirement": ("退休", "retir"),
    "school": ("入学 小一 一年级 上学 幼升小", "school"),
    "talent": ("人才落户 人才引进 落户 入户 毕业生", "settl graduat talent"),
}
"""Life events -> their terms in the catalog's wording (what the synonyms map everyday words to):
Chinese, and English stems ("+" joins stems that must all be present)."""


CHINESE_EVENT_FILLERS = (
    "我们 我哋 我 你 他 她 佢 家里 屋企 家人 家 父母 老人 孩子 儿童 宝宝 婴儿 配偶 夫妻 自己 女朋友 男朋友 对象 "
    "研究生 大学生 想 要 准备 打算 计划 刚刚 啱啱 刚 已经 就快 快要 快 即将 马上 下个月 下月 下年 明年 今年 最近 "
    "九月 年 月 接下来 下来 之后 后 昨天 今天 前天 上个月 上周 上星期 琴日 寻日 前日 今日 刚才 早前 日前 前几天 "
    "上年 去年 了 咗 个 间 套 层 辆 架 部 一 家 在 喺 的 同 和 跟 都 些 么 啥 面 开 买 办 搞 弄 点 报名 申请 证件 "
    "广州 小区 门口 楼下 附近 街边 路边 旁边 对面 隔壁 社区 村里 市场 商场 这里 那里 呢度 嗰度"
)
"""Who, when, where and wanting: what a Chinese query about a life event says besides the event."""


PINYIN_SYLLABLES = (
    "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen "
    "ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong "
    "cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian diao die ding diu dong dou du duan dui dun duo "
    "e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai "
    "guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia "
    "jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai "
    "kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu "
    "luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan "
    "nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan "
    "pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu "
    "quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha "
    "shai shan shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan "
    "sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei "
    "wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo "
    "yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhen zheng zhi zhong "
    "zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo"
)
"""Valid pinyin syllables without tones: Latin input is split into these to match by sound."""
