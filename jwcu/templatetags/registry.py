from django import template

from jwcu import display

register = template.Library()


@register.filter
def yen(amount):
    return display.yen(amount)
