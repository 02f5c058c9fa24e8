/**
 * SQL that builds a home-care-like database fast, with generate_series, md5 and random():
 * caregivers, patients, visits and free-text clinical notes (Portuguese phrases, so that it
 * compresses like real notes rather than like random bytes), with the indexes an application has.
 */

/** Tables and reference data; run once. */
export const SCHEMA_SQL = `
CREATE TABLE caregivers (
    id serial PRIMARY KEY, name text NOT NULL, license text NOT NULL UNIQUE, phone text,
    specialties text[], hired_on date);
CREATE TABLE patients (
    id bigserial PRIMARY KEY, name text NOT NULL, cpf char(11) NOT NULL UNIQUE, birth date,
    address text, phone text, conditions text, created_at timestamptz NOT NULL);
CREATE TABLE visits (
    id bigserial PRIMARY KEY, patient_id bigint NOT NULL, caregiver_id int NOT NULL,
    scheduled_at timestamptz NOT NULL, started_at timestamptz, ended_at timestamptz,
    status text NOT NULL, latitude numeric(9,6), longitude numeric(9,6));
CREATE TABLE clinical_notes (
    id bigserial PRIMARY KEY, visit_id bigint NOT NULL, author_id int NOT NULL,
    created_at timestamptz NOT NULL, kind text NOT NULL, body text NOT NULL);
CREATE TABLE phrases (id int PRIMARY KEY, text text NOT NULL);

INSERT INTO phrases (id, text)
SELECT row_number() OVER (), s || ' ' || f || ', ' || p || '.'
FROM unnest(ARRAY['Paciente', 'Paciente idoso', 'Paciente acamada', 'Cuidadora informa que o paciente',
                  'Familiar relata que a paciente', 'Durante a visita o paciente', 'Ao exame a paciente',
                  'No período noturno o paciente']) s,
     unnest(ARRAY['refere dor leve em região lombar', 'apresenta PA ' || (110 + (random() * 40)::int) || 'x' || (70 + (random() * 20)::int) || ' mmHg',
                  'aceitou bem a dieta pastosa', 'sem queixas no período', 'apresentou episódio de tosse seca',
                  'curativo em calcâneo direito com boa evolução', 'glicemia capilar de ' || (80 + (random() * 120)::int) || ' mg/dL',
                  'deambula com auxílio de andador', 'dormiu bem, sem intercorrências', 'recusou parte do almoço',
                  'evacuou normalmente', 'saturação de ' || (90 + (random() * 9)::int) || '% em ar ambiente',
                  'apresenta edema em membros inferiores', 'realizou exercícios de fisioterapia respiratória',
                  'queixa-se de tontura ao levantar', 'temperatura axilar de 36,' || (random() * 9)::int || ' °C']) f,
     unnest(ARRAY['mantida a prescrição médica', 'orientada hidratação oral', 'agendado retorno em 7 dias',
                  'comunicado ao médico responsável', 'reforçada mudança de decúbito a cada 2 horas',
                  'família orientada quanto aos sinais de alerta', 'administrada medicação conforme prescrição',
                  'solicitada avaliação da nutricionista', 'registrado no prontuário eletrônico',
                  'mantida observação', 'realizada troca de curativo', 'encaminhado para exames laboratoriais',
                  'orientado uso correto do inalador', 'aferidos sinais vitais novamente após 30 minutos',
                  'sem necessidade de intervenção', 'agendada visita extra para amanhã']) p;

INSERT INTO caregivers (name, license, phone, specialties, hired_on)
SELECT 'Cuidador(a) ' || md5(g::text)::varchar(10), 'COREN-' || lpad(g::text, 7, '0'),
       '+55 11 9' || lpad((random() * 99999999)::int::text, 8, '0'),
       string_to_array((ARRAY['geriatria,curativos', 'fisioterapia', 'enfermagem,oncologia', 'nutrição'])[1 + g % 4], ','),
       date '2015-01-01' + (random() * 3000)::int
FROM generate_series(1, 2000) g;
`;

/** Patients; `count` of them. */
export function patientsSql(count: number): string {
    return `
INSERT INTO patients (name, cpf, birth, address, phone, conditions, created_at)
SELECT 'Paciente ' || initcap(md5(g::text)::varchar(12)), lpad(g::text, 11, '0'),
       date '1925-01-01' + (random() * 30000)::int,
       'Rua ' || md5((g * 7)::text)::varchar(8) || ', ' || (random() * 3000)::int || ' - São Paulo/SP',
       '+55 11 9' || lpad((random() * 99999999)::int::text, 8, '0'),
       (ARRAY['hipertensão', 'diabetes tipo 2', 'DPOC', 'Alzheimer', 'pós-AVC', 'insuficiência cardíaca'])[1 + g % 6],
       timestamptz '2020-01-01' + g * interval '3 minutes'
FROM generate_series(1, ${count}) g;`;
}

/**
 * One batch of `visits` visits (ids after `offset`), each with 1 to 3 clinical notes of 3 to 9
 * phrases plus a small random fragment.
 */
export function visitsBatchSql(offset: number, visits: number, patients: number): string {
    return `
INSERT INTO visits (patient_id, caregiver_id, scheduled_at, started_at, ended_at, status, latitude, longitude)
SELECT 1 + (random() * ${patients - 1})::int, 1 + (random() * 1999)::int, ts,
       ts + random() * interval '20 minutes', ts + interval '40 minutes' + random() * interval '1 hour',
       (ARRAY['realizada', 'realizada', 'realizada', 'faltou', 'cancelada'])[1 + (random() * 4)::int],
       -23.9 + random() * 0.6, -46.9 + random() * 0.6
FROM (SELECT timestamptz '2021-01-01' + g * interval '90 seconds' AS ts
      FROM generate_series(${offset + 1}, ${offset + visits}) g) s;

INSERT INTO clinical_notes (visit_id, author_id, created_at, kind, body)
SELECT v.id, v.caregiver_id, v.ended_at + k * interval '1 minute',
       (ARRAY['evolução', 'sinais vitais', 'intercorrência', 'orientação'])[1 + (random() * 3)::int],
       ph.a[1 + (random() * (n - 1))::int] || ' ' || ph.a[1 + (random() * (n - 1))::int] || ' ' ||
       ph.a[1 + (random() * (n - 1))::int] || ' ' ||
       array_to_string(ph.a[lo:lo + (random() * 5)::int], ' ') ||
       ' Ref. ' || substr(md5(v.id::text || k::text), 1, 8) || '.'
FROM visits v
CROSS JOIN LATERAL generate_series(1, 1 + (v.id % 3)::int) k
CROSS JOIN (SELECT array_agg(text ORDER BY id) AS a, count(*)::int AS n FROM phrases) ph
CROSS JOIN LATERAL (SELECT 1 + (random() * (ph.n - 7))::int AS lo) w
WHERE v.id > ${offset} AND v.id <= ${offset + visits};`;
}

/** Indexes and foreign keys, built once the data is in (as a restore does). */
export const INDEXES_SQL = `
ALTER TABLE visits ADD CONSTRAINT visits_patient_fk FOREIGN KEY (patient_id) REFERENCES patients(id);
ALTER TABLE visits ADD CONSTRAINT visits_caregiver_fk FOREIGN KEY (caregiver_id) REFERENCES caregivers(id);
ALTER TABLE clinical_notes ADD CONSTRAINT notes_visit_fk FOREIGN KEY (visit_id) REFERENCES visits(id);
CREATE INDEX visits_patient_scheduled ON visits (patient_id, scheduled_at);
CREATE INDEX visits_caregiver_scheduled ON visits (caregiver_id, scheduled_at);
CREATE INDEX notes_visit ON clinical_notes (visit_id);
CREATE INDEX notes_created ON clinical_notes (created_at);
CREATE INDEX patients_name ON patients (name);
ANALYZE;`;

/** Per-table row counts and a cheap content fingerprint, to check that a restore is complete. */
export const FINGERPRINT_SQL = `
SELECT 'caregivers=' || (SELECT count(*) FROM caregivers) ||
       ' patients=' || (SELECT count(*) FROM patients) ||
       ' visits=' || (SELECT count(*) FROM visits) ||
       ' notes=' || (SELECT count(*) FROM clinical_notes) ||
       ' note_chars=' || (SELECT sum(length(body)) FROM clinical_notes) ||
       ' indexes=' || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public')`;

/** Changes ~1 % of the rows of the two big tables (the change an incremental backup carries). */
export const CHANGE_ONE_PERCENT_SQL = `
UPDATE visits SET status = 'revisada' WHERE id % 100 = 0;
UPDATE clinical_notes SET body = body || ' (revisado)' WHERE id % 100 = 0;`;
