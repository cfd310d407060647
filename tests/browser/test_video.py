from urllib.parse import quote, urlsplit

from playwright.sync_api import expect


def test_nothing_leaves_the_site_until_play(page, site):
    hosts = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    # The sandbox has no internet: answer for YouTube so the iframe can load.
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.fulfill(body="<p>player</p>"))
    page.goto(site + "/lectures/design-doc/")
    page.wait_for_load_state("networkidle")
    assert set(hosts) == {urlsplit(site).hostname}

    page.get_by_role("link", name="Play the recording: Bonus 2").click()

    player = page.locator(".video__frame iframe")
    # Made on press, the player may take commands from this page (notes seek it): enablejsapi, for our origin.
    origin = quote(site, safe="")
    expect(player).to_have_attribute(
        "src", f"https://www.youtube-nocookie.com/embed/PW9TGNr1Vqk?autoplay=1&enablejsapi=1&origin={origin}"
    )
    expect(player).to_be_focused()
    page.wait_for_load_state("networkidle")
    assert "www.youtube-nocookie.com" in hosts
    assert not [host for host in hosts if host and "youtube.com" in host.replace("youtube-nocookie", "")]


def test_the_course_playlist_plays_where_a_lecture_has_no_recording(page, site, console_errors):
    hosts = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.fulfill(body="<p>player</p>"))
    page.goto(site + "/lectures/ml-in-practice/")
    page.wait_for_load_state("networkidle")
    assert set(hosts) == {urlsplit(site).hostname}

    page.get_by_role("link", name="Play the course playlist").click()

    player = page.locator(".video__frame iframe")
    expect(player).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/videoseries?list=PLTlO6nV_TaGDu_HYG8cm7iUFZ_4qEJAYF&autoplay=1"
    )
    page.wait_for_load_state("networkidle")
    assert not [host for host in hosts if host and "youtube.com" in host.replace("youtube-nocookie", "")]
    assert console_errors == []
