"""The one mail pipeline: templates, queue, DKIM, unsubscribe, limits, bounces, mailings.

Other apps send mail only through ``fortresa.notifications.services.send_email``.
"""
