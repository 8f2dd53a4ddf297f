"""Encrypted personal-data fields: ciphertext, a keyed lookup hash beside it, masked display."""

from django.db import models

from huifang.lib import crypto


class PersonalData(models.Model):
    """An ID number and a phone number, encrypted at rest.

    `*_enc` hold Fernet ciphertext, `*_hash` an HMAC for exact lookups; the
    clear values are only ever in memory.
    """

    id_no_enc = models.TextField(blank=True)
    id_no_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_enc = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def id_no(self) -> str:
        return crypto.decrypt(self.id_no_enc)

    @id_no.setter
    def id_no(self, value: str) -> None:
        self.id_no_enc = crypto.encrypt(value)
        self.id_no_hash = crypto.lookup_hash(value)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    @phone.setter
    def phone(self, value: str) -> None:
        self.phone_enc = crypto.encrypt(value)
        self.phone_hash = crypto.lookup_hash(value)

    @property
    def id_no_masked(self) -> str:
        return crypto.mask_id(self.id_no)

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)
