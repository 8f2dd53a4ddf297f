from decimal import Decimal
from django.urls import reverse
from huifang.portfolio.models import Collateral
def test_dump(history, client):
    Collateral.objects.create(loan=history.loan, kind="real_estate", description="北京市朝阳区建国路八十八号院现代城三号楼二十一层二一零三室及地下车位一个，" * 4, appraised_value=Decimal("12345678901.00"), location="北京市朝阳区建国路八十八号院现代城三号楼二十一层" * 2, registration_no="京(2023)朝阳区不动产权第0123456789012345号")
    p = history.loan.parties.first(); p.relation = "配偶的兄弟所控制的企业的法定代表人" * 3; p.name = "北京宏达贸易有限责任公司上海分公司" * 2; p.save()
    client.force_login(history.users["officer"])
    open("/tmp/hf_p_stress.pdf","wb").write(client.get(reverse("visit_pack_pdf", args=[history.fresh.pk])).content)
