"""The State Council's holiday notice, pasted by an administrator (issue 20, part 3).

The notices below are written out as the General Office published them (2008's long form, full-
and half-width copies, the 2025 preamble that names a date of its own); each is read and compared
day by day with what the chinese-calendar package publishes for that year.
"""

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants

from zonehub.calendar_notice import HOLIDAY, WORKDAY, parse_notice

# --- The notices -------------------------------------------------------------------------------

NOTICE_2008 = """国务院办公厅关于2008年部分节假日安排的通知

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　根据国务院《关于修改〈全国年节及纪念日放假办法〉的决定》，为便于各地区、各部门及早合理安排节假日旅游、交通运输、生产经营等有关工作，经国务院批准，现将2008年元旦、春节、清明节、“五一”国际劳动节、端午节、中秋节、国庆节放假调休日期具体安排通知如下：
　　一、元旦：2007年12月30日—2008年1月1日放假，共3天。其中，1月1日（星期二）为法定节假日，12月30日（星期日）为公休日，12月29日（星期六）公休日调至12月31日（星期一），12月29日（星期六）上班。
　　二、春节：2月6日—12日（即农历除夕至正月初六）放假，共7天。其中，2月6日（除夕）、2月7日（春节）、2月8日（正月初二）为法定节假日，2月9日（星期六）、2月10日（星期日）照常公休，将2月2日（星期六）、2月3日（星期日）两个公休日调至2月11日（星期一）、2月12日（星期二），2月2日（星期六）、2月3日（星期日）上班。
　　三、清明节：4月4日—6日放假，共3天。其中，4月4日（清明节）为法定节假日，4月5日（星期六）、4月6日（星期日）照常公休。
　　四、“五一”国际劳动节：5月1日—3日放假，共3天。其中，5月1日为法定节假日，5月3日（星期六）为公休日，5月4日（星期日）公休日调至5月2日（星期五），5月4日（星期日）上班。
　　五、端午节：6月7日—9日放假，共3天。其中，6月7日（星期六）照常公休，6月8日（农历五月初五，端午节）为法定节假日，6月8日（星期日）公休日调至6月9日（星期一）。
　　六、中秋节：9月13日—15日放假，共3天。其中，9月13日（星期六）照常公休，9月14日（农历八月十五，中秋节）为法定节假日，9月14日（星期日）公休日调至9月15日（星期一）。
　　七、国庆节：9月29日—10月5日放假，共7天。其中，10月1日、2日、3日为法定节假日，将9月27日（星期六）、9月28日（星期日）两个公休日调至9月29日（星期一）、30日（星期二），9月27日（星期六）、9月28日（星期日）上班。10月4日（星期六）、5日（星期日）照常公休。
　　节假日期间，各地区、各部门要妥善安排好值班和安全保卫等工作，遇有重大突发事件发生，要按规定及时报告并妥善处置，确保人民群众度过欢乐祥和的节日假期。

国务院办公厅
"""

# Full-width digits throughout, and a make-up Saturday in the December before.
NOTICE_2012 = """国务院办公厅关于２０１２年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将２０１２年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：２０１２年１月１日至３日放假调休，共３天。２０１１年１２月３１日（星期六）上班。
二、春节：１月２２日至２８日放假调休，共７天。１月２１日（星期六）、１月２９日（星期日）上班。
三、清明节：４月２日至４日放假调休，共３天。３月３１日（星期六）、４月１日（星期日）上班。
四、劳动节：４月２９日至５月１日放假调休，共３天。４月２８日（星期六）上班。
五、端午节：６月２２日至２４日放假公休，共３天。
六、中秋节、国庆节：９月３０日至１０月７日放假调休，共８天。９月２９日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件发生，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
"""

NOTICE_2015 = """国务院办公厅关于2015年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2015年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日至3日放假调休，共3天。1月4日（星期日）上班。
二、春节：2月18日至24日放假调休，共7天。2月15日（星期日）、2月28日（星期六）上班。
三、清明节：4月5日放假，4月6日（星期一）补休。
四、劳动节：5月1日放假，与周末连休。
五、端午节：6月20日放假，6月22日（星期一）补休。
六、中秋节：9月27日放假。
七、国庆节：10月1日至7日放假调休，共7天。10月10日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
2014年12月16日
"""

NOTICE_2018 = """国务院办公厅关于2018年部分节假日安排的通知
经国务院批准，现将2018年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日放假，与周末连休。
二、春节：2月15日至21日放假调休，共7天。2月11日（星期日）、2月24日（星期六）上班。
三、清明节：4月5日至7日放假调休，共3天。4月8日（星期日）上班。
四、劳动节：4月29日至5月1日放假调休，共3天。4月28日（星期六）上班。
五、端午节：6月18日放假，与周末连休。
六、中秋节：9月24日放假，与周末连休。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期六）、9月30日（星期日）上班。
"""

# The New Year holiday starts on 30 December of the year before, with a make-up Saturday then.
NOTICE_2019 = """国务院办公厅关于2019年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2019年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。
二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。
三、清明节：4月5日放假，与周末连休。
四、劳动节：5月1日放假。
五、端午节：6月7日放假，与周末连休。
六、中秋节：9月13日放假，与周末连休。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
2018年12月4日
"""

NOTICE_2020 = """国务院办公厅关于2020年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2020年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：2020年1月1日放假，共1天。
二、春节：1月24日至30日放假调休，共7天。1月19日（星期日）、2月1日（星期六）上班。
三、清明节：4月4日至6日放假，共3天。
四、劳动节：5月1日至5日放假调休，共5天。4月26日（星期日）、5月9日（星期六）上班。
五、端午节：6月25日至27日放假调休，共3天。6月28日（星期日）上班。
六、国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
"""

# A range from the year before into the year.
NOTICE_2023 = """国务院办公厅关于2023年部分节假日安排的通知
经国务院批准，现将2023年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
"""

# Half-width punctuation, as news sites copy it; the advice about 除夕 names a day but sets none.
NOTICE_2024 = """国务院办公厅关于2024年部分节假日安排的通知
国办发明电〔2023〕7号
各省、自治区、直辖市人民政府,国务院各部委、各直属机构:
经国务院批准,现将2024年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦:1月1日放假,与周末连休。
二、春节:2月10日至17日放假调休,共8天。2月4日(星期日)、2月18日(星期日)上班。鼓励各单位结合带薪年休假等制度落实,安排职工在除夕(2月9日)休息。
三、清明节:4月4日至6日放假调休,共3天。4月7日(星期日)上班。
四、劳动节:5月1日至5日放假调休,共5天。4月28日(星期日)、5月11日(星期六)上班。
五、端午节:6月10日放假,与周末连休。
六、中秋节:9月15日至17日放假调休,共3天。9月14日(星期六)上班。
七、国庆节:10月1日至7日放假调休,共7天。9月29日(星期日)、10月12日(星期六)上班。
节假日期间,各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作,遇有重大突发事件,要按规定及时报告并妥善处置,确保人民群众祥和平安度过节日假期。
国务院办公厅
2023年10月25日
"""

# Weekday notes as （周三）, lunar notes with them, and a preamble that names a date of its own.
NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经党中央、国务院批准，根据2024年11月修订的《全国年节及纪念日放假办法》，自2025年1月1日起，全体公民放假的假日增加2天，其中春节、劳动节各增加1天。据此对放假调休原则作进一步优化完善，除个别特殊情形外，春节自农历除夕起放假调休8天，国庆节自10月1日起放假调休7天，劳动节放假调休5天，元旦、清明节、端午节、中秋节分别放假调休或连休3天（如逢周三则只在当日放假），国庆节放假如逢中秋节则合并放假8天。
按照上述原则，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
2024年11月12日
"""

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
鼓励单位和个人结合落实带薪年休假等制度，实际形成较长假期，推动错峰出行。节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
2025年11月4日
"""

NOTICES = {2008: NOTICE_2008, 2012: NOTICE_2012, 2015: NOTICE_2015, 2018: NOTICE_2018, 2019: NOTICE_2019,
           2020: NOTICE_2020, 2023: NOTICE_2023, 2024: NOTICE_2024, 2025: NOTICE_2025, 2026: NOTICE_2026}

# Days another notice of the State Council changed after the yearly one, which the package follows:
# 2015's 70th anniversary of the victory (9月3日至5日, 9月6日 worked), 2019's longer Labour Day
# (5月1日至4日, 4月28日 and 5月5日 worked), 2020's Spring Festival extended for the epidemic (to 2月2日,
# so 2月1日 was no longer worked).
LATER_NOTICES = {
    2015: {dt.date(2015, 9, 3), dt.date(2015, 9, 4), dt.date(2015, 9, 6)},
    2019: {dt.date(2019, 4, 28), dt.date(2019, 5, 2), dt.date(2019, 5, 3), dt.date(2019, 5, 5)},
    2020: {dt.date(2020, 1, 31), dt.date(2020, 2, 1)},
}


def every_day(year):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


# --- Read day by day against chinese-calendar ----------------------------------------------------


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_each_notice_reads_as_chinese_calendar_publishes_it(year):
    parse = parse_notice(NOTICES[year])
    assert parse.year == year
    assert parse.unread == [], parse.unread
    later = LATER_NOTICES.get(year, set())

    # Every date the notice names: a make-up day where the package has a working day, a holiday
    # where it has a day off, a holiday of its own on a weekday. (The package lists the weekend
    # days inside a holiday in some years, 2008 and 2026, and not in others, 2012's 端午节.)
    for day in parse.days:
        if day.date in later:
            continue
        if day.kind == WORKDAY:
            assert day.date in constants.workdays, day
        else:
            assert not chinese_calendar.is_workday(day.date), day
            assert day.date.weekday() >= 5 or day.date in constants.holidays, day

    # Every day of the year works or rests as the package says (the next year's notice may name
    # the last days of December: 2019's names 2018年12月29日至31日).
    named = parse.by_date()
    following = NOTICES.get(year + 1)
    if following:
        named.update({d.date: d for d in parse_notice(following).days if d.date.year == year})
    for day in every_day(year):
        read = named[day].is_workday if day in named else day.weekday() < 5
        if day in later:
            assert read != chinese_calendar.is_workday(day), day
        else:
            assert read == chinese_calendar.is_workday(day), day


def test_weekend_days_inside_a_range_are_holidays_with_their_festival_s_name():
    days = parse_notice(NOTICE_2026).by_date()
    assert days[dt.date(2026, 2, 21)].kind == HOLIDAY and days[dt.date(2026, 2, 21)].name == "春节"  # a Saturday
    assert days[dt.date(2026, 2, 14)].kind == WORKDAY and days[dt.date(2026, 2, 14)].name == "春节调休"
    # "与周末连休" names no weekend day: only the one the notice gives.
    days_2024 = parse_notice(NOTICE_2024).by_date()
    assert days_2024[dt.date(2024, 6, 10)].name == "端午节"
    assert dt.date(2024, 6, 8) not in days_2024 and dt.date(2023, 12, 30) not in days_2024


def test_the_new_year_holiday_starting_in_december_of_the_year_before():
    days = parse_notice(NOTICE_2019).by_date()
    assert [(d, days[d].kind) for d in sorted(days) if d.year == 2018] == [
        (dt.date(2018, 12, 29), WORKDAY), (dt.date(2018, 12, 30), HOLIDAY), (dt.date(2018, 12, 31), HOLIDAY)]
    assert days[dt.date(2018, 12, 30)].name == "元旦"
    assert parse_notice(NOTICE_2012).by_date()[dt.date(2011, 12, 31)].kind == WORKDAY
    # 2008's long form: "12月29日（星期六）公休日调至12月31日（星期一），12月29日（星期六）上班".
    days_2008 = parse_notice(NOTICE_2008).by_date()
    assert days_2008[dt.date(2007, 12, 29)].kind == WORKDAY
    assert days_2008[dt.date(2007, 12, 31)].kind == HOLIDAY


def test_several_festivals_in_one_item_and_the_festivals_names():
    days = parse_notice(NOTICE_2025).by_date()
    assert days[dt.date(2025, 10, 6)].name == "国庆节、中秋节"
    assert days[dt.date(2025, 9, 28)].name == "国庆节、中秋节调休"
    assert parse_notice(NOTICE_2008).by_date()[dt.date(2008, 5, 2)].name == "劳动节"  # "“五一”国际劳动节"


def test_sentences_that_set_no_day_are_left_out_and_shown_as_such():
    parse = parse_notice(NOTICE_2024)
    assert dt.date(2024, 2, 9) not in parse.by_date()  # 鼓励…安排职工在除夕（2月9日）休息
    assert parse.skipped == ["鼓励各单位结合带薪年休假等制度落实,安排职工在除夕(2月9日)休息。"]
    # The 2025 preamble's "自2025年1月1日起" and the signature's date are no days either.
    assert parse_notice(NOTICE_2025).by_date()[dt.date(2025, 1, 1)].name == "元旦"
    assert dt.date(2024, 11, 12) not in parse_notice(NOTICE_2025).by_date()


def test_full_and_half_width_read_the_same():
    full = parse_notice(NOTICE_2024.translate(str.maketrans(",:()", "，：（）")))
    half = parse_notice(NOTICE_2024)
    assert full.days == half.days and len(half.days) == 36
    digits = str.maketrans("0123456789", "０１２３４５６７８９")
    assert parse_notice(NOTICE_2026.translate(digits)).days == parse_notice(NOTICE_2026).days
    # One line, as a chat window pastes it.
    assert parse_notice(NOTICE_2026.replace("\n", "")).days == parse_notice(NOTICE_2026).days


# --- What it cannot read is shown, never guessed -------------------------------------------------


def test_a_weekday_note_that_does_not_fit_the_date_leaves_the_sentence_out():
    parse = parse_notice(NOTICE_2026.replace("2月14日（周六）", "2月14日（周日）"))
    assert [piece.text for piece in parse.unread] == ["2月14日（周日）、2月28日（周六）上班。"]
    assert "星期六" in parse.unread[0].reason and "星期日" in parse.unread[0].reason
    days = parse.by_date()
    assert dt.date(2026, 2, 14) not in days and dt.date(2026, 2, 28) not in days  # the whole sentence
    assert days[dt.date(2026, 2, 15)].kind == HOLIDAY  # the rest is read


@pytest.mark.parametrize("change,fragment", [
    (("5月9日（周六）上班。", "5月9日（周六）。"), "5月9日（周六）。"),  # no verb: 放假 or 上班?
    (("6月19日（周五）至21日（周日）放假", "6月19日至31日放假"), "6月19日至31日放假，共3天。"),  # no 6月31日
    (("三、清明节：4月4日（周六）至6日（周一）放假，共3天。", "三、清明节：放假3天。"), "放假3天。"),  # no date at all
    (("9月25日（周五）至27日（周日）放假", "9月25日（周五）至27日（周日）放假。10月10日放假"),
     "10月10日放假，共3天。；9月20日（周日）、10月10日（周六）上班。"),  # both off and worked
])
def test_pieces_it_cannot_read_are_shown_as_written(change, fragment):
    parse = parse_notice(NOTICE_2026.replace(*change))
    assert fragment in [piece.text for piece in parse.unread], parse.unread
    assert all(piece.reason for piece in parse.unread)
    assert len(parse.days) < len(parse_notice(NOTICE_2026).days)


def test_no_year_no_headings_no_text():
    assert parse_notice(NOTICE_2026.split("\n", 3)[3]).year is None  # title and first sentence gone
    assert parse_notice(NOTICE_2026.split("\n", 3)[3], year=2026).days == parse_notice(NOTICE_2026).days
    loose = parse_notice("国务院办公厅关于2026年部分节假日安排的通知\n元旦放假三天，1月1日至3日。")
    assert loose.days == [] and [piece.text for piece in loose.unread] == ["元旦放假三天，1月1日至3日。"]
    assert parse_notice("").year is None and parse_notice("   ").days == []


# --- Storing it: the service ---------------------------------------------------------------------

@pytest.fixture
def received_years():
    """The years the calendar_changed signal announces: the deadlines on them are computed again."""
    from zonehub.services import calendar_changed

    received = []

    def receiver(sender, years, **kwargs):
        received.append(years)

    calendar_changed.connect(receiver, weak=False, dispatch_uid="test_calendar_notice")
    yield received
    calendar_changed.disconnect(dispatch_uid="test_calendar_notice")


@pytest.mark.django_db
def test_a_provisional_year_becomes_the_notice_s_published_year(zone, received_years,
                                                                  django_capture_on_commit_callbacks):
    from zonehub import services
    from zonehub.events import CoreEvent
    from zonehub.models import CalendarDay, CalendarYear, Event
    from zonehub.workdays import SHANGHAI, WorkCalendar, due_at

    CalendarYear.objects.filter(year=2025).delete()
    services.calendar_ensure_year(year=2025)  # the statutory fallback: no make-up Sunday on 1月26日
    start = dt.datetime(2025, 1, 24, 16, tzinfo=SHANGHAI)
    assert due_at(start, 3) == dt.datetime(2025, 2, 5, tzinfo=SHANGHAI)  # 1月27日, 2月3日, 2月4日

    with django_capture_on_commit_callbacks(execute=True):
        year = services.calendar_notice_apply(text=NOTICE_2025, actor=zone.admin)
    assert (year.year, year.provisional, year.source) == (2025, False, CalendarYear.Source.NOTICE)
    assert received_years == [[2025]]
    # Day by day, what the deadlines now read is what chinese-calendar publishes.
    calendar = WorkCalendar.for_years([2025])
    assert all(calendar.is_workday(day) == chinese_calendar.is_workday(day) for day in every_day(2025))
    assert due_at(start, 3) == dt.datetime(2025, 2, 6, tzinfo=SHANGHAI)  # 1月26日 worked, 1月27日, 2月5日
    assert CalendarDay.objects.get(date=dt.date(2025, 2, 1)).name == "春节"  # a Saturday inside the holiday
    event = Event.objects.get(kind=CoreEvent.CALENDAR_PUBLISHED, subject_id=2025)
    assert (event.actor, event.from_state, event.to_state) == (zone.admin, "provisional", "published")
    assert event.data["holidays"] == 28 and event.data["workdays"] == 5 and event.data["source"] == "notice"


@pytest.mark.django_db
def test_days_of_the_december_before_go_to_that_year(zone, received_years, django_capture_on_commit_callbacks):
    from zonehub import services
    from zonehub.models import CalendarDay, CalendarYear

    CalendarYear.objects.filter(year__in=[2018, 2019]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_notice_apply(text=NOTICE_2019, actor=zone.admin)
    assert received_years == [[2018, 2019]]
    assert CalendarYear.objects.get(year=2018).provisional  # the rest of 2018 was never entered
    assert list(CalendarDay.objects.filter(date__gte=dt.date(2018, 12, 1), date__year=2018).values_list(
        "date", "is_workday", "name")) == [(dt.date(2018, 12, 29), True, "元旦调休"),
                                           (dt.date(2018, 12, 30), False, "元旦"), (dt.date(2018, 12, 31), False, "元旦")]


@pytest.mark.django_db
def test_a_published_year_imported_again_keeps_what_next_year_s_notice_set_in_its_december(zone):
    from zonehub import services
    from zonehub.events import CoreEvent
    from zonehub.models import CalendarDay, Event

    services.calendar_notice_apply(text=NOTICE_2018, actor=zone.admin)  # 2018 is the package's
    assert CalendarDay.objects.get(date=dt.date(2018, 12, 29)).is_workday  # set by 2019's notice
    assert not CalendarDay.objects.filter(date=dt.date(2018, 6, 16)).exists()  # "与周末连休": not named
    assert Event.objects.filter(kind=CoreEvent.CALENDAR_EDITED, subject_id=2018).count() == 1


@pytest.mark.django_db
def test_only_administrators_import_and_bad_input_changes_nothing(zone):
    from django.core.exceptions import PermissionDenied, ValidationError

    from zonehub import services
    from zonehub.models import CalendarDay, CalendarYear

    before = list(CalendarDay.objects.filter(date__year=2026).values_list("date", "is_workday", "name"))
    with pytest.raises(PermissionDenied):
        services.calendar_notice_apply(text=NOTICE_2026, actor=zone.leader)
    for text, message in [("", "请粘贴"), ("一、元旦：1月1日放假。", "没有找到年份"),
                          ("国务院办公厅关于2026年部分节假日安排的通知", "没有找到放假或调休上班")]:
        with pytest.raises(ValidationError) as exc:
            services.calendar_notice_apply(text=text, actor=zone.admin)
        assert message in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:  # unread pieces, not confirmed
        services.calendar_notice_apply(text=NOTICE_2026.replace("5月9日（周六）上班。", "5月9日（周六）。"), actor=zone.admin)
    assert "1处内容未能识别" in " ".join(exc.value.messages)
    assert list(CalendarDay.objects.filter(date__year=2026).values_list("date", "is_workday", "name")) == before
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.PACKAGE

    services.calendar_notice_apply(text=NOTICE_2026.replace("5月9日（周六）上班。", "5月9日（周六）。"),
                                   actor=zone.admin, unread_confirmed=True)
    assert not CalendarDay.objects.filter(date=dt.date(2026, 5, 9)).exists()  # left out, not guessed
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.NOTICE


# --- The admin page ------------------------------------------------------------------------------

IMPORT_URL = "admin:zonehub_calendaryear_notice_import"


@pytest.mark.django_db
def test_the_admin_previews_the_year_then_stores_it(client, zone, django_assert_max_num_queries):
    from django.urls import reverse

    from zonehub.models import CalendarYear

    client.force_login(zone.admin)
    # The admin's own queries: its session and user, the singletons it may add (grade thresholds,
    # the stewards' grade thresholds), then the page's four reads of the calendar years.
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("admin:zonehub_calendaryear_changelist")).content.decode()
    assert reverse(IMPORT_URL) in listing and "从国务院通知导入" in listing

    page = client.get(reverse(IMPORT_URL)).content.decode()
    assert "<textarea" in page and "预览" in page and "确认导入" not in page

    preview = client.post(reverse(IMPORT_URL), {"text": NOTICE_2026, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200 and CalendarYear.objects.get(year=2026).source == "package"  # not stored
    grids = html.split('data-testid="notice-calendar"')[1].split("</div>")[0]
    assert grids.count("<caption>") == 12 and "<caption>2026年2月</caption>" in grids
    assert '<td class="holiday" title="2026年2月21日 春节">21</td>' in grids  # a Saturday of the holiday
    assert '<td class="workday" title="2026年2月14日 春节调休">14</td>' in grids
    assert 'data-testid="notice-legend"' in html
    assert "2026年：放假33天，调休上班6天" in html
    assert '<time datetime="2026-02-14">2026年2月14日</time>' in html and "调休上班" in html
    assert 'data-testid="notice-unread"' not in html and "与当前日历没有不同" in html  # as the package has it
    assert "确认导入" in html

    stored = client.post(reverse(IMPORT_URL), {"text": NOTICE_2026, "apply": "1",
                                               "previewed": preview.context["digest"]})
    assert stored.status_code == 302 and stored["Location"] == reverse("admin:zonehub_calendaryear_changelist")
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.NOTICE
    assert "已按通知录入2026年日历" in client.get(stored["Location"]).content.decode()


@pytest.mark.django_db
def test_the_admin_page_shows_what_it_cannot_read_and_keeps_the_text(client, zone):
    from django.urls import reverse

    from zonehub.models import CalendarYear

    client.force_login(zone.admin)
    text = NOTICE_2026.replace("2月14日（周六）", "2月14日（周日）")
    preview = client.post(reverse(IMPORT_URL), {"text": text, "preview": "1"})
    html = preview.content.decode()
    assert 'data-testid="notice-unread"' in html and "2026年2月14日是星期六，不是星期日" in html
    assert "调休上班" in html and "2026年2月14日</time>" not in html

    digest = preview.context["digest"]
    refused = client.post(reverse(IMPORT_URL), {"text": text, "apply": "1", "previewed": digest})
    assert refused.status_code == 200 and "1处内容未能识别" in refused.content.decode()
    assert CalendarYear.objects.get(year=2026).source == "package"
    changed = client.post(reverse(IMPORT_URL), {"text": text + "\n", "apply": "1", "previewed": digest,
                                                "unread_confirmed": "on"})
    assert "预览后文本有改动" in changed.content.decode() and CalendarYear.objects.get(year=2026).source == "package"
    stored = client.post(reverse(IMPORT_URL), {"text": text, "apply": "1", "previewed": digest, "unread_confirmed": "on"})
    assert stored.status_code == 302 and CalendarYear.objects.get(year=2026).source == "notice"

    for bad, message in [("", "请粘贴国务院办公厅放假通知的全文"), ("一、元旦：1月1日放假。", "没有找到年份")]:
        response = client.post(reverse(IMPORT_URL), {"text": bad, "preview": "1"})
        html = response.content.decode()
        assert response.status_code == 200 and message in html
        assert f">\n{bad}</textarea>" in html  # what was pasted survives


@pytest.mark.django_db
def test_only_the_system_administrator_opens_the_import_page(client, zone):
    from django.urls import reverse

    from tests.factories import UserFactory
    from zonehub.models import Role

    client.force_login(UserFactory(role=Role.SECURITY_ADMIN, is_staff=True))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.post(reverse(IMPORT_URL), {"text": NOTICE_2026, "apply": "1"}).status_code == 403
    client.force_login(zone.leader)
    assert client.get(reverse(IMPORT_URL)).status_code == 302  # the admin's login


# --- The command ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_prints_every_date_and_applies_it(tmp_path, capsys, zone):
    from django.core.management import CommandError, call_command

    from zonehub.models import CalendarYear

    notice = tmp_path / "notice-2019.txt"
    notice.write_text(NOTICE_2019, encoding="utf-8")
    call_command("workdays", "notice", str(notice))
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == ["2018-12-29\tworkday", "2018-12-30\tholiday", "2018-12-31\tholiday", "2019-01-01\tholiday"]
    assert len(out) == len(parse_notice(NOTICE_2019).days) and "2019-10-12\tworkday" in out

    bad = tmp_path / "bad.txt"
    bad.write_bytes(NOTICE_2026.replace("5月9日（周六）上班。", "5月9日（周六）。").encode("gb18030"))
    call_command("workdays", "notice", str(bad))
    captured = capsys.readouterr()
    assert "2026-05-09" not in captured.out and "5月9日（周六）。" in captured.err
    with pytest.raises(CommandError, match="--accept-unread"):
        call_command("workdays", "notice", str(bad), "--apply")
    assert CalendarYear.objects.get(year=2026).source == "package"

    call_command("workdays", "notice", str(notice), "--apply")
    assert CalendarYear.objects.get(year=2019).source == CalendarYear.Source.NOTICE
    assert zone.admin.username in capsys.readouterr().err

    type(zone.admin).objects.filter(is_superuser=True).update(is_superuser=False)
    with pytest.raises(CommandError, match="createsuperuser"):
        call_command("workdays", "notice", str(notice), "--apply")
    with pytest.raises(CommandError, match="没有找到年份"):
        (tmp_path / "items.txt").write_text("一、元旦：1月1日放假。", encoding="utf-8")
        call_command("workdays", "notice", str(tmp_path / "items.txt"))


# --- The banner ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("today,shown", [(dt.datetime(2026, 11, 1, 9), True), (dt.datetime(2026, 10, 31, 18), False)])
def test_from_1_november_administrators_are_asked_for_next_year_s_notice(client, zone, today, shown):
    import time_machine
    from django.urls import reverse

    from zonehub.models import CalendarYear
    from zonehub.workdays import SHANGHAI

    CalendarYear.objects.filter(year=2027).update(provisional=True)
    client.force_login(zone.admin)
    with time_machine.travel(today.replace(tzinfo=SHANGHAI), tick=False):
        for url in (reverse("notifications"), reverse("admin:zonehub_calendaryear_changelist")):
            page = client.get(url).content.decode()
            assert ('data-testid="calendar-banner"' in page) is shown, url
            assert (reverse(IMPORT_URL) + '" data-testid="calendar-banner-import"' in page) is shown
            assert ("2027" in page.split('data-testid="calendar-banner"')[-1][:400]) is shown
        client.force_login(zone.leader)  # not an administrator: never
        assert 'data-testid="calendar-banner"' not in client.get(reverse("notifications")).content.decode()


@pytest.mark.django_db
def test_no_banner_once_next_year_is_published(client, zone):
    import time_machine
    from django.urls import reverse

    from zonehub import services
    from zonehub.workdays import SHANGHAI

    services.calendar_year_publish(calendar_year=services.calendar_ensure_year(year=2027), actor=zone.admin)
    client.force_login(zone.admin)
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=SHANGHAI), tick=False):
        assert 'data-testid="calendar-banner"' not in client.get(reverse("notifications")).content.decode()
