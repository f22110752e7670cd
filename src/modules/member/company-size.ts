import { registerEnumType } from 'type-graphql';

/** Company size bands; values are stored as these names. */
export enum CompanySize {
  SELF_EMPLOYED = 'SELF_EMPLOYED',
  EMPLOYEES_2_TO_10 = 'EMPLOYEES_2_TO_10',
  EMPLOYEES_11_TO_50 = 'EMPLOYEES_11_TO_50',
  EMPLOYEES_51_TO_200 = 'EMPLOYEES_51_TO_200',
  EMPLOYEES_201_TO_500 = 'EMPLOYEES_201_TO_500',
  EMPLOYEES_501_TO_1000 = 'EMPLOYEES_501_TO_1000',
  EMPLOYEES_1001_TO_5000 = 'EMPLOYEES_1001_TO_5000',
  EMPLOYEES_5001_TO_10000 = 'EMPLOYEES_5001_TO_10000',
  EMPLOYEES_10001_PLUS = 'EMPLOYEES_10001_PLUS',
}

/** How each band is written in a byline, exactly as the community shows it. */
export const COMPANY_SIZE_LABELS: Record<CompanySize, string> = {
  [CompanySize.SELF_EMPLOYED]: 'Self-employed',
  [CompanySize.EMPLOYEES_2_TO_10]: '2 - 10 employees',
  [CompanySize.EMPLOYEES_11_TO_50]: '11 - 50 employees',
  [CompanySize.EMPLOYEES_51_TO_200]: '51 - 200 employees',
  [CompanySize.EMPLOYEES_201_TO_500]: '201 - 500 employees',
  [CompanySize.EMPLOYEES_501_TO_1000]: '501 - 1,000 employees',
  [CompanySize.EMPLOYEES_1001_TO_5000]: '1,001 - 5,000 employees',
  [CompanySize.EMPLOYEES_5001_TO_10000]: '5,001 - 10,000 employees',
  [CompanySize.EMPLOYEES_10001_PLUS]: '10,001+ employees',
};

registerEnumType(CompanySize, {
  name: 'CompanySize',
  description: "Company size bands shown in a member's byline.",
  valuesConfig: Object.fromEntries(
    Object.entries(COMPANY_SIZE_LABELS).map(([value, label]) => [value, { description: `Written "${label}" in bylines.` }]),
  ) as Record<CompanySize, { description: string }>,
});

/**
 * "Director of IT in Software, 201 - 500 employees": the title, then
 * " in <industry>" when there is one, then ", <size band>".
 */
export function formatByline(title: string, industry: string | null | undefined, companySize: CompanySize): string {
  const inIndustry = industry && industry.trim() !== '' ? ` in ${industry.trim()}` : '';
  return `${title}${inIndustry}, ${COMPANY_SIZE_LABELS[companySize]}`;
}
