"""A note's time in the video, as people write it (mm:ss or h:mm:ss), and as the player shows it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from progress.notes import MAX_SECONDS, format_time, parse_time, video_link


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0:00", 0),
        ("0:07", 7),
        ("12:05", 725),
        (" 12:05 ", 725),
        ("75:30", 4530),  # minutes past the hour are fine without hours
        ("1:02:30", 3750),
        ("01:02:30", 3750),
        ("99:59:59", MAX_SECONDS),
        ("", None),
        ("   ", None),
    ],
)
def test_it_reads_times(value, seconds):
    assert parse_time(value) == seconds


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("abc", "minutes and seconds (12:05)"),
        ("12", "minutes and seconds (12:05)"),
        ("12.05", "minutes and seconds (12:05)"),
        ("12:05:", "minutes and seconds (12:05)"),
        (":30", "minutes and seconds (12:05)"),
        ("1:2:3:4", "minutes and seconds (12:05)"),
        ("-1:00", "minutes and seconds (12:05)"),
        ("1:5", "minutes and seconds (12:05)"),  # seconds have two digits
        ("12:05 pm", "minutes and seconds (12:05)"),
        ("１２:０５", "minutes and seconds (12:05)"),  # full-width digits, which int() would take
        ("١٢:٠٥", "minutes and seconds (12:05)"),  # Arabic-Indic digits, likewise
        ("1:60", "Seconds go up to 59"),
        ("0:99", "Seconds go up to 59"),
        ("1:65:00", "minutes go up to 59"),
        ("100:00:00", "minutes and seconds (12:05)"),  # three digits of hours
        ("9999:59", "past the end of any lecture"),
    ],
)
def test_it_refuses_bad_times_with_a_clear_error(value, words):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            parse_time(value)
        assert words in error.value.messages[0]


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0:00"), (7, "0:07"), (725, "12:05"), (3750, "1:02:30")])
def test_it_shows_times_as_the_player_does_and_reads_them_back(seconds, shown):
    assert format_time(seconds) == shown
    assert parse_time(shown) == seconds


def test_a_time_links_to_that_second_of_the_video():
    assert video_link("PW9TGNr1Vqk", 725) == "https://www.youtube.com/watch?v=PW9TGNr1Vqk&t=725s"


def test_the_errors_speak_russian():
    with translation.override("ru"):
        with pytest.raises(ValidationError) as error:
            parse_time("1:60")
        assert error.value.messages == ["Секунд не больше 59: пишите 1:05, а не 0:65."]
