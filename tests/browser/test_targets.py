"""Every control is at least 44 by 44 CSS pixels, or a link inside running text (WCAG's inline exception)."""

import pytest

# A checkbox counts together with its label, which toggles it too.
SMALL_TARGETS = """
() => {
  const box = (element) => {
    const own = element.getBoundingClientRect();
    const label = ['checkbox', 'radio'].includes(element.type) && element.labels[0];
    if (!label) return own;
    const other = label.getBoundingClientRect();
    const top = Math.min(own.top, other.top), bottom = Math.max(own.bottom, other.bottom);
    const left = Math.min(own.left, other.left), right = Math.max(own.right, other.right);
    return { width: right - left, height: bottom - top };
  };
  return [...document.querySelectorAll('a[href], button, summary, input:not([type=hidden]), select, textarea')]
    .filter((element) => element.offsetParent !== null)
    .filter((element) => !element.closest('p, .helptext, .visually-hidden, .skip-link'))
    .map((element) => [element, box(element)])
    .filter(([, size]) => size.height < 44 || size.width < 44)
    .map(([element, size]) => {
      const name = (element.textContent || element.name).trim().slice(0, 40);
      return `${element.tagName} "${name}" ${size.width.toFixed(0)}x${size.height.toFixed(0)}`;
    });
}
"""
WIDTHS = [360, 1280]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", "/lectures/training-data/", "/progress/", "/accounts/email/"])
def test_signed_in_targets_are_large_enough(learner_page, site, path, width):
    learner_page.set_viewport_size({"width": width, "height": 900})
    learner_page.goto(site + path)
    assert learner_page.evaluate(SMALL_TARGETS) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", "/lectures/design-doc/", "/accounts/login/", "/accounts/signup/"])
def test_public_targets_are_large_enough(page, site, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + path)
    assert page.evaluate(SMALL_TARGETS) == []
