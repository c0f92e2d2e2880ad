"""Employee insurance (职工医保): the employer's lapse, and a lapse with no employer.

- Employer's fault: the employer back-pays both shares (the employee's share stays the employee's:
  the employer withholds it, 《社会保险法》第六十条, and may recover it from wages) and pays the late
  fee on the whole arrears alone (the fee: 《社会保险法》第八十六条; not passed on:
  《实施〈社会保险法〉若干规定》第二十条). No waiting period; the gap's bills are reimbursed.
- No employer (left a job, between jobs): there is no employer share. Months with 失业保险金 are
  not a lapse (《社会保险法》第四十八条). Other months are back-paid only where individuals may
  (the flexible workers' window, base band and rate); otherwise the person re-enrols.
"""

from __future__ import annotations

from .arrears import BASE_KEYS, late_fee, price_months, pricing_steps
from .core import (
    DOC_COMMON,
    DOC_CONTRIBUTION,
    DOC_LATE_FEE,
    DOC_LATE_FEE_EMPLOYER,
    DOC_UNEMPLOYMENT,
    DOC_WITHHOLDING,
    EMPLOYER,
    PAYER_EMPLOYER,
    PERSONAL,
    ZERO,
    Estimate,
    Item,
    LapseCase,
    Reader,
    Step,
    add_months,
    build,
    next_month,
    unbroken_cover,
    yuan,
)
from .flexible import individual_backpay, moved_estimate

RATES = ("employee_employer_rate", "employee_personal_rate")


def employee_estimate(case: LapseCase, read: Reader) -> Estimate:
    if case.cause == EMPLOYER:
        return employer_fault(case, read)
    return no_employer(case, read)


def employer_fault(case: LapseCase, read: Reader) -> Estimate:
    """Worked case 1: the employer back-pays both shares and the whole late fee; no wait."""
    assert case.lapse_start is not None
    segments = price_months(read, case.lapse_start, case.lapse_months, case.base, employer_share=True)
    steps = pricing_steps(segments, "employee.amount", DOC_CONTRIBUTION, RATES)
    employer = sum((s.employer * s.months for s in segments), ZERO)
    personal = sum((s.personal * s.months for s in segments), ZERO)
    steps.append(
        Step(
            "employee.employer_backpays",
            f"单位原因断缴，由单位补缴两部分：单位部分 {yuan(employer)}，个人部分 {yuan(personal)}。"
            "个人部分本来就是职工自己该交的，由单位代扣代缴，单位可以从工资里扣回。",
            DOC_WITHHOLDING,
        )
    )
    fee = late_fee(segments, case.paid_on, read)
    steps.append(
        Step(
            "employee.late_fee.employer",
            f"单位还要按每天 {read.show('late_fee_daily_pct')} 交滞纳金，按全部欠费从每月缴费截止日算到补缴当天，"
            f"约 {yuan(fee)}。",
            DOC_LATE_FEE,
            ("late_fee_daily_pct", "contribution_due_day"),
        )
    )
    steps.append(Step("employee.late_fee.not_passed_on", "滞纳金只能由单位承担，不能让职工出。", DOC_LATE_FEE_EMPLOYER))
    steps.append(
        Step(
            "employee.resume.employer",
            "单位补缴后不设等待期，下个月起恢复报销；断缴期间看病的费用，可以在补缴后按规定补报。",
            DOC_COMMON,
        )
    )
    amount_keys = BASE_KEYS + RATES
    return build(
        read,
        steps,
        items=[
            Item("单位缴费部分", employer, EMPLOYER),
            Item("个人缴费部分（单位代扣代缴，可从工资里扣回）", personal, PERSONAL),
        ],
        basis={"amount": amount_keys, "late_fee": amount_keys + ("late_fee_daily_pct", "contribution_due_day")},
        late_fee=fee,
        late_fee_payer=PAYER_EMPLOYER,
        advice="由单位补缴，职工不交滞纳金",
        **unbroken_cover(next_month(case.paid_on)),
    )


def no_employer(case: LapseCase, read: Reader) -> Estimate:
    """Between jobs: unemployment-benefit months are covered; the rest only as an individual."""
    assert case.lapse_start is not None
    steps = [
        Step(
            "employee.no_employer",
            "个人原因断缴（比如离职、换工作）：这段时间没有单位，也就没有单位部分可补，要补只能由个人按规定补。",
            DOC_CONTRIBUTION,
        )
    ]
    first, months = case.lapse_start, case.lapse_months
    if case.unemployment_months:
        steps.append(
            Step(
                "employee.unemployment",
                f"其中 {case.unemployment_months} 个月领取失业保险金，这期间的职工医保由失业保险基金代缴，"
                "不算断缴（按断缴开始后先领失业保险金计算）。",
                DOC_UNEMPLOYMENT,
            )
        )
        first, months = add_months(first, case.unemployment_months), months - case.unemployment_months
    if months == 0:
        steps.append(
            Step("employee.unemployment.all", "整段时间都有失业保险金代缴，不用补缴，也不影响报销。", DOC_UNEMPLOYMENT)
        )
        return build(read, steps, basis={}, advice="不用补缴", **unbroken_cover(case.paid_on))
    if case.moved:
        return moved_estimate(case, read, steps, first, months)
    return individual_backpay(case, read, steps, first, months)
