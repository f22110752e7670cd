import { CompanySize, formatByline } from './company-size';

describe('formatByline', () => {
  it.each([
    ['Director of IT', 'Software', CompanySize.EMPLOYEES_201_TO_500, 'Director of IT in Software, 201 - 500 employees'],
    ['Chief Data Officer', 'Media', CompanySize.EMPLOYEES_2_TO_10, 'Chief Data Officer in Media, 2 - 10 employees'],
    ['CSO', null, CompanySize.SELF_EMPLOYED, 'CSO, Self-employed'],
    ['Senior Executive Advisor', 'Software', CompanySize.EMPLOYEES_10001_PLUS, 'Senior Executive Advisor in Software, 10,001+ employees'],
    ['CIO', 'Banking', CompanySize.EMPLOYEES_501_TO_1000, 'CIO in Banking, 501 - 1,000 employees'],
    ['CTO', '   ', CompanySize.EMPLOYEES_1001_TO_5000, 'CTO, 1,001 - 5,000 employees'],
  ])('%s / %s / %s -> %s', (title, industry, size, expected) => {
    expect(formatByline(title, industry, size)).toBe(expected);
  });
});
