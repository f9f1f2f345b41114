"""Hand-written carrier texts of half C: documents of kinds halves A and B do not have.

Written for wardflow (issue 16, helper session probeC, 2026-12-08), after A and B and
without running the detector on them; every name, number and address is invented.
Each carrier is (style, blocks); a probe item inserts one sentence between two blocks.
Styles: ``invoice``, ``email_thread`` (an e-mail with a quoted earlier message),
``delivery_note``, ``remittance``, ``onboarding_form``, ``statement``, ``contract``.
"""

CARRIERS_C = {
    "en": [
        (
            "invoice",
            [
                "Ashgrove Scientific Ltd\nInvoice AS-77402 | Account 11938 | Page 1 of 1",
                "Deliver to: Pennine Veterinary Laboratories, Goods Inwards, 8 Fell View, Kendal LA9 6PL\nYour order: PO-4410-K   Dispatch date: 12/11/2026",
                "Line  Item                                  Qty   Price    Value\n1     Nitrile gloves, size M, box of 100     60    £4.85    £291.00\n2     Sample tubes 10 ml, pack of 500        4     £36.20   £144.80\n3     Carriage                               1     £12.50   £12.50",
                "Goods £448.30   VAT @ 20% £89.66   Invoice total £537.96",
                "Settlement: 30 days end of month. Account name Ashgrove Scientific Ltd, HSBC 40-47-84, 61529938.",
            ],
        ),
        (
            "email_thread",
            [
                "Hi Gareth,",
                "Thanks, that's sorted now. I've reissued the invoice with the corrected delivery address and cancelled the old one (ref 5531), so please discard that copy.",
                "Cheers,\nMegan Lloyd\nAccounts, Tidewater Marine Chandlery",
                "-----Original Message-----\nFrom: Gareth Owen <g.owen@porthcawl-yachts.example>\nSent: 10 November 2026 16:02\nSubject: RE: Invoice 5531",
                "> Hi Megan, the invoice went to our old yard in Swansea. Could you send a corrected one to the Porthcawl office? Thanks, Gareth",
            ],
        ),
        (
            "delivery_note",
            [
                "DELIVERY NOTE DN-208815\nKingsbridge Timber Merchants, Quarry Road, Totnes TQ9 5EX",
                "Customer: Harlow & Dean Builders, site: Plot 14, Meadow Close, Dartington\nVehicle: KX71 TMB   Driver: S. Mortimer",
                "Qty   Description\n24    C24 timber 47x150 mm, 4.8 m\n10    OSB3 board 18 mm, 2440x1220\n3     Bags of 100 mm ring-shank nails, 5 kg",
                "Goods received in good condition (sign and print name): ____________________",
                "Prices are shown on the invoice, which will follow by e-mail.",
            ],
        ),
        (
            "remittance",
            [
                "REMITTANCE ADVICE\nFrom: Corrie Hall Housing Association, Finance (Payables)\nTo: Lakeland Roofing Services",
                "Payment run: 13/11/2026   Method: BACS   Payment reference: CHHA-PR-0934",
                "Your invoice   Date         Amount\nLR-2291        02/10/2026   £3,480.00\nLR-2304        16/10/2026   £1,212.60\nLess credit note LR-C-118    -£240.00",
                "Total paid £4,452.60. Funds should reach your account within three working days.",
                "Queries: payables@corriehall.example, quoting the payment reference.",
            ],
        ),
        (
            "onboarding_form",
            [
                "NEW SUPPLIER SET-UP FORM (return to procurement@fenwickfoods.example)",
                "Company name: Marlowe Packaging Solutions Ltd\nCompany number: 10487732   VAT number: GB 391 7764 20\nRegistered address: 6 Foundry Lane, Stoke-on-Trent ST4 2QR",
                "Sales contact: Imogen Hale, 01782 555 310\nRemittance e-mail: accounts@marlowe-pack.example",
                "Bank name: NatWest   Sort code: 60-02-14   Account number: 28855017\nPayment terms requested: 45 days",
                "Declaration: I confirm that the information above is correct.\nSigned: I. Hale   Date: 09/11/2026",
            ],
        ),
        (
            "statement",
            [
                "STATEMENT OF ACCOUNT as at 31/10/2026\nBramhall Linen Services, Unit 2, Stockport Road, Cheadle SK8 2AA",
                "Account: Ravenscroft Hotel, 40 Esplanade, Scarborough YO11 2AQ (customer no. RH-0087)",
                "Date        Ref       Details          Debit      Credit     Balance\n01/10/2026  INV 6610  Linen hire Sept  £1,920.00             £1,920.00\n15/10/2026  PAY       Thank you                   £1,920.00  £0.00\n31/10/2026  INV 6672  Linen hire Oct   £2,045.50             £2,045.50",
                "Current £2,045.50   30 days £0.00   60 days £0.00   Amount due £2,045.50",
                "Please pay by 30/11/2026. Bank: Lloyds 30-15-57, account 04481926.",
            ],
        ),
        (
            "contract",
            [
                "MAINTENANCE SERVICES AGREEMENT (extract)\nbetween Calder Lift Engineering Ltd (the Supplier) and Whitmore Property Management Ltd (the Client)",
                "4. Charges and payment\n4.1 The Client shall pay the quarterly fee of £1,860.00 plus VAT in advance.\n4.2 Invoices are payable within 30 days of receipt.",
                "4.3 Call-outs outside the scheduled visits are charged at £95.00 per hour, with a minimum of one hour.",
                "5. Term and termination\n5.1 This Agreement runs for 24 months from 1 January 2027 and may be terminated by either party on 90 days' written notice.",
                "Signed for the Supplier: R. Calder, Director        Signed for the Client: P. Whitmore, Director",
            ],
        ),
    ],
    "de": [
        (
            "delivery_note",
            [
                "LIEFERSCHEIN Nr. LS-40917\nBaustoffe Kessler GmbH, Industriestraße 31, 74076 Heilbronn",
                "Empfänger: Dachdeckerei Albers, Baustelle Kirchbergweg 6, 74172 Neckarsulm\nLieferdatum: 11.11.2026   Fahrer: M. Ott",
                "Menge  Artikel\n12     Dachlatten 30x50 mm, 4 m\n6      Rollen Unterspannbahn, 1,5 x 50 m\n2      Kartons Edelstahlschrauben 5x60",
                "Ware vollständig und unbeschädigt erhalten: ____________ (Unterschrift)",
                "Die Rechnung erhalten Sie gesondert per E-Mail.",
            ],
        ),
        (
            "email_thread",
            [
                "Hallo Herr Baumann,",
                "ich habe die Rechnung 2026-884 storniert und mit der korrekten Kostenstelle neu ausgestellt. Die neue Nummer lautet 2026-891.",
                "Viele Grüße\nNina Forster\nBuchhaltung, Forster Medientechnik",
                "----- Ursprüngliche Nachricht -----\nVon: Lukas Baumann\nGesendet: Montag, 9. November 2026 10:14\nBetreff: Rechnung 2026-884",
                "> Guten Morgen Frau Forster, auf der Rechnung steht Kostenstelle 4100, richtig wäre 4300. Können Sie das bitte korrigieren? Danke, L. Baumann",
            ],
        ),
        (
            "statement",
            [
                "KONTOAUSZUG / Offene-Posten-Liste zum 31.10.2026\nGetränke Wendt OHG, Hafenstraße 4, 24103 Kiel",
                "Kunde: Gasthaus Zur Förde, Kundennr. 30512",
                "Beleg      Datum       Fällig       Betrag\nRE 77120   05.10.2026  04.11.2026   1.184,30 €\nRE 77311   19.10.2026  18.11.2026     962,75 €",
                "Summe offene Posten: 2.147,05 €",
                "Bankverbindung: Förde Sparkasse, IBAN DE81 2105 0170 0091 4433 20.",
            ],
        ),
    ],
    "fr": [
        (
            "remittance",
            [
                "AVIS DE PAIEMENT\nÉmetteur : Clinique Saint-Roch, Service comptabilité fournisseurs, 12 boulevard Gambetta, 34000 Montpellier",
                "Bénéficiaire : Blanchisserie du Lez\nDate du virement : 12/11/2026   Référence : CSR-VIR-20261112-07",
                "Factures réglées\nBL-2026-310 du 30/09/2026   2 418,00 €\nBL-2026-334 du 15/10/2026   1 096,40 €",
                "Montant total viré : 3 514,40 €",
                "Pour toute question, écrivez à fournisseurs@clinique-saintroch.example en rappelant la référence du virement.",
            ],
        ),
        (
            "contract",
            [
                "CONTRAT DE PRESTATION DE SERVICES (extrait)\nentre Sécuritas Provence SARL (le Prestataire) et Résidence Les Oliviers (le Client)",
                "Article 5 – Prix\nLe Client verse une redevance mensuelle de 2 950,00 € HT, payable à 30 jours fin de mois.",
                "Article 6 – Révision\nLe prix est révisé chaque année au 1er janvier selon l'indice des prix à la consommation.",
                "Article 9 – Résiliation\nChaque partie peut résilier le contrat par lettre recommandée avec un préavis de trois mois.",
                "Fait à Aix-en-Provence, le 2 novembre 2026, en deux exemplaires.",
            ],
        ),
        (
            "email_thread",
            [
                "Bonjour Thomas,",
                "C'est corrigé : la facture 7719 a été annulée et remplacée par la facture 7724, à l'ordre de votre filiale de Nantes.",
                "Bonne fin de semaine,\nAurélie Chevalier\nAdministration des ventes, Papeterie Chevalier",
                "Le 10 nov. 2026 à 09:41, Thomas Roussel a écrit :",
                "> Bonjour Aurélie, la facture 7719 est au nom de la maison mère, or la commande a été passée par la filiale de Nantes. Pouvez-vous la refaire ? Merci, Thomas",
            ],
        ),
    ],
    "nl": [
        (
            "delivery_note",
            [
                "PAKBON 2026-55123\nHoutgroothandel Brouwer B.V., Havenweg 17, 8011 AR Zwolle",
                "Afleveradres: Timmerbedrijf Kok, Dorpsstraat 88, 8061 CS Hasselt\nLeverdatum: 12-11-2026",
                "Aantal  Omschrijving\n30      Vuren balk 46x96 mm, 4,2 m\n8       Multiplex 18 mm, 250x122 cm",
                "Voor ontvangst getekend: ____________",
                "De factuur volgt apart per e-mail.",
            ],
        ),
        (
            "onboarding_form",
            [
                "AANMELDFORMULIER NIEUWE LEVERANCIER\nRetour aan inkoop@zorggroep-oost.example",
                "Bedrijfsnaam: Schoonmaakbedrijf Hendriks B.V.\nKvK-nummer: 67812345   Btw-nummer: NL8567.12.345.B01",
                "Contactpersoon: Lotte Hendriks, 053 555 2718\nE-mailadres voor facturen: facturen@hendriks-schoon.example",
                "IBAN: NL55 INGB 0008 7712 34   Tenaamstelling: Schoonmaakbedrijf Hendriks B.V.",
                "Ondertekend: L. Hendriks, directeur   Datum: 06-11-2026",
            ],
        ),
        (
            "invoice",
            [
                "Drukkerij Meulenbelt\nFactuur 26-1142 | Klantnummer 4071",
                "Aan: Stichting Muziekschool Deventer, Brink 12, 7411 BT Deventer\nFactuurdatum: 10-11-2026",
                "1.000 programmaboekjes A5, 16 pagina's   € 865,00\nBezorging                                 € 35,00",
                "Totaal excl. btw € 900,00   Btw 21% € 189,00   Totaal € 1.089,00",
                "Betaling binnen 30 dagen op NL63 RABO 0312 4455 66 o.v.v. het factuurnummer.",
            ],
        ),
    ],
    "es": [
        (
            "delivery_note",
            [
                "ALBARÁN DE ENTREGA N.º A-26-7734\nMaderas Gallego S.L., Polígono Industrial Sabón, parcela 12, 15142 Arteixo",
                "Cliente: Carpintería Iglesias, Rúa do Porto 5, 15001 A Coruña\nFecha de entrega: 11/11/2026",
                "Cantidad  Descripción\n40        Tablero de pino 19 mm, 244x122\n15        Listón de haya 40x40, 2 m",
                "Recibí conforme (firma y DNI): ____________",
                "La factura se enviará por correo electrónico a final de mes.",
            ],
        ),
        (
            "statement",
            [
                "EXTRACTO DE CUENTA a 31/10/2026\nSuministros Hosteleros Vidal S.A., C/ Colón 18, 46004 Valencia",
                "Cliente: Restaurante El Puerto, código 20931",
                "Fecha       Documento     Cargo       Abono       Saldo\n03/10/2026  FRA 26/4410  1.640,00 €              1.640,00 €\n24/10/2026  Cobro                     1.640,00 €     0,00 €\n30/10/2026  FRA 26/4587    875,20 €                875,20 €",
                "Saldo pendiente: 875,20 €",
                "Cuenta para pagos: ES76 0081 0216 7300 0144 2288.",
            ],
        ),
        (
            "email_thread",
            [
                "Hola Marta:",
                "Ya está: hemos anulado la factura 1183 y te he enviado la 1190 con el IVA reducido que corresponde.",
                "Saludos,\nIgnacio Prieto\nAdministración, Prieto Eventos",
                "El 9 nov 2026, a las 12:30, Marta Soler escribió:",
                "> Hola Ignacio, en la factura 1183 habéis aplicado el 21 % y el servicio de catering va al 10 %. ¿Podéis rehacerla? Gracias, Marta",
            ],
        ),
    ],
    "it": [
        (
            "remittance",
            [
                "AVVISO DI PAGAMENTO\nDa: Comune di Villafranca – Servizio Ragioneria\nA: Verde Servizi Ambientali S.r.l.",
                "Data valuta: 13/11/2026   Mandato n. 2026/3318   CRO 0912 3344 5566",
                "Fatture pagate\nn. 144/2026 del 01/09/2026   € 4.270,00\nn. 162/2026 del 01/10/2026   € 4.270,00",
                "Totale bonificato: € 8.540,00 (IVA versata dall'ente in split payment)",
                "Per informazioni: ragioneria@comune-villafranca.example",
            ],
        ),
        (
            "email_thread",
            [
                "Buongiorno Federica,",
                "ho annullato la fattura 417 con nota di credito e riemesso la fattura 421 con il codice destinatario corretto.",
                "Cordiali saluti,\nDavide Moretti\nAmministrazione, Moretti Arredi",
                "Il giorno 10/11/2026 alle 11:05 Federica Longo ha scritto:",
                "> Buongiorno Davide, la fattura 417 è stata scartata dallo SDI perché il codice destinatario è errato. Potete riemetterla? Grazie, Federica",
            ],
        ),
        (
            "contract",
            [
                "CONTRATTO DI FORNITURA (estratto)\ntra Caseificio Valle Verde S.r.l. (il Fornitore) e Supermercati Alfa S.p.A. (il Cliente)",
                "Art. 4 – Corrispettivi\nI prezzi sono quelli del listino allegato e restano invariati fino al 30 giugno 2027.",
                "Art. 5 – Pagamenti\nLe fatture sono pagate a 60 giorni data fattura fine mese mediante bonifico.",
                "Art. 8 – Recesso\nCiascuna parte può recedere con preavviso scritto di 60 giorni.",
                "Letto, confermato e sottoscritto. Parma, 3 novembre 2026.",
            ],
        ),
    ],
    "pl": [
        (
            "onboarding_form",
            [
                "FORMULARZ REJESTRACJI DOSTAWCY\nOdesłać na adres zakupy@grupa-medyk.example",
                "Nazwa firmy: Transport Dąbrowski Sp. z o.o.\nNIP: 781-204-55-18   REGON: 301552873",
                "Osoba kontaktowa: Ewa Dąbrowska, tel. 61 555 40 12\nAdres e-mail do faktur: faktury@dabrowski-trans.example",
                "Numer rachunku: 27 1140 2004 0000 3102 5566 7788",
                "Podpis: E. Dąbrowska, prezes zarządu   Data: 05.11.2026",
            ],
        ),
        (
            "invoice",
            [
                "FAKTURA nr 2026/11/417\nSprzedawca: Pralnia Przemysłowa Czysty Len, ul. Fabryczna 9, 43-300 Bielsko-Biała",
                "Nabywca: Hotel Beskidy Sp. z o.o., ul. Górska 1, 43-460 Wisła\nData wystawienia: 10.11.2026",
                "Pranie pościeli hotelowej, październik   3 150,00 zł\nPranie ręczników                        1 020,00 zł",
                "Razem netto 4 170,00 zł   VAT 23% 959,10 zł   Razem brutto 5 129,10 zł",
                "Płatne przelewem w ciągu 14 dni na rachunek 83 1020 1390 0000 6202 0133 4455.",
            ],
        ),
        (
            "email_thread",
            [
                "Dzień dobry Panie Piotrze,",
                "fakturę nr 233 anulowaliśmy korektą, a w załączniku przesyłam nową fakturę nr 236 z prawidłowym NIP-em.",
                "Pozdrawiam,\nJoanna Kubiak\nDział Księgowości, Kubiak Serwis",
                "W dniu 9.11.2026 o 14:22 Piotr Górski napisał:",
                "> Dzień dobry, na fakturze nr 233 jest błędny NIP nabywcy. Proszę o korektę. Pozdrawiam, P. Górski",
            ],
        ),
    ],
}
